<?php

declare(strict_types=1);

namespace K2Mock;

/**
 * One sandbox on a k2mock server, from `K2Mock::sandbox()`: the same admin calls as `K2Mock`,
 * scoped to it (`/__admin/sandboxes/{id}/...`). The app under test needs only `baseUrl()` (the
 * server's) and this sandbox's `credentials()` (or `tokens()`): k2mock finds the sandbox by
 * what the app sends.
 */
final class Sandbox extends AdminApi
{
    private bool $deleted = false;

    /** @param array<string, mixed> $info the server's answer: id, name, scenario, seed, ttl, credentials, tokens, clock, admin */
    public function __construct(private readonly K2Mock $server, private readonly array $info)
    {
    }

    public function id(): string
    {
        return (string)$this->info['id'];
    }

    public function name(): string
    {
        return (string)($this->info['name'] ?? $this->info['id']);
    }

    /** The scenario as the server names it (a path, `scenario_yaml`, or `<built-in default>`). */
    public function scenario(): ?string
    {
        return $this->info['scenario'] ?? null;
    }

    public function seed(): ?int
    {
        return $this->info['seed'] ?? null;
    }

    /** `'30m'` and such, or null (it lives until deleted). */
    public function ttl(): ?string
    {
        return $this->info['ttl'] ?? null;
    }

    /**
     * The scenario's credentials with `-<name>` appended.
     *
     * @return list<array{client_id: string, client_secret: string, api_key: string}>
     */
    public function credentials(): array
    {
        return array_values($this->info['credentials'] ?? []);
    }

    /** @return list<array{value: string, client_id: string}> the pre-issued tokens */
    public function tokens(): array
    {
        return array_values($this->info['tokens'] ?? []);
    }

    /** The first credential's client id (null if the scenario has none). */
    public function clientId(): ?string
    {
        return $this->credentials()[0]['client_id'] ?? null;
    }

    public function clientSecret(): ?string
    {
        return $this->credentials()[0]['client_secret'] ?? null;
    }

    /** The first credential's api key: it signs this sandbox's callbacks. */
    public function apiKey(): ?string
    {
        return $this->credentials()[0]['api_key'] ?? null;
    }

    /** The first pre-issued token (null if the scenario issues none). */
    public function token(): ?string
    {
        return $this->tokens()[0]['value'] ?? null;
    }

    /** An access token for the first credential (or the one given). */
    public function accessToken(?string $clientId = null, ?string $clientSecret = null): string
    {
        return parent::accessToken($clientId ?? (string)$this->clientId(), $clientSecret ?? (string)$this->clientSecret());
    }

    /** `http://HOST:PORT/__admin/sandboxes/{id}` */
    public function adminUrl(): ?string
    {
        return $this->info['admin'] ?? null;
    }

    /** Everything the server answered when it made (or listed) this sandbox. */
    public function info(): array
    {
        return $this->info;
    }

    public function server(): K2Mock
    {
        return $this->server;
    }

    /** The server's base URL, in the PHP SDK's form. */
    public function baseUrl(): string
    {
        return $this->server->baseUrl();
    }

    /**
     * Ends it: its pending deliveries are dropped and its tokens answer 401 from then on.
     * Answers `['id', 'deleted' => true, 'dropped_deliveries' => N]`; throws NotFoundException
     * when the server has no such sandbox (deleted already, or ended by its ttl).
     */
    public function delete(): array
    {
        $answer = $this->server->admin('DELETE', '/sandboxes/' . rawurlencode($this->id()));
        $this->deleted = true;
        return $answer;
    }

    public function isDeleted(): bool
    {
        return $this->deleted;
    }

    protected function adminToken(): ?string
    {
        return $this->server->adminToken();
    }

    protected function adminRoot(): string
    {
        return '/__admin/sandboxes/' . rawurlencode($this->id());
    }
}
