<?php

declare(strict_types=1);

namespace K2Mock;

use K2Mock\Internal\Http;

/**
 * The admin API of one sandbox: the server's own (`K2Mock`, under `/__admin`) or one made
 * beside it (`Sandbox`, under `/__admin/sandboxes/{id}`). Every call throws `ApiException` (or
 * its subclasses `AdminTokenException`, `NotFoundException`, `ConflictException`) when the admin
 * API answers an error, and `UnreachableException` when nothing answers.
 */
abstract class AdminApi
{
    /** Seconds an admin call may take (an advance runs every callback that falls due). */
    public const TIMEOUT = 60.0;

    /** The environment variable that, set to `1`, makes assertTranscript() rewrite every snapshot. */
    public const UPDATE_SNAPSHOTS = 'K2MOCK_UPDATE_SNAPSHOTS';

    abstract public function baseUrl(): string;

    abstract protected function adminToken(): ?string;

    abstract protected function adminRoot(): string;

    /**
     * The base URL as each official SDK takes it: PHP and Node without a trailing `/`, Python
     * and Ruby with one.
     *
     * @return array{php: string, node: string, python: string, ruby: string}
     */
    public function baseUrls(): array
    {
        $origin = $this->baseUrl();
        return ['php' => $origin, 'node' => $origin, 'python' => "$origin/", 'ruby' => "$origin/"];
    }

    public function port(): int
    {
        return (int)parse_url($this->baseUrl(), PHP_URL_PORT);
    }

    /**
     * Sends any request to k2mock and answers with any status (never throws for one). `$path`
     * is a path (`/api/v1/payments`) or an absolute URL (a `location`); `$body` a string sent
     * as it is, or anything else sent as JSON. Options: `token` (sent as `Authorization:
     * Bearer`), `headers`, `timeout` (seconds).
     *
     * @param array{token?: string|null, headers?: array<string, string>, timeout?: float} $options
     */
    public function request(string $method, string $path, mixed $body = null, array $options = []): Response
    {
        self::checkKeys($options, ['token', 'headers', 'timeout'], 'request()');
        $headers = ['Accept' => 'application/json'];
        if ($body !== null) {
            $headers['Content-Type'] = 'application/json';
            if (!is_string($body)) {
                $body = self::json($body);
            }
        }
        if (isset($options['token'])) {
            $headers['Authorization'] = 'Bearer ' . $options['token'];
        }
        foreach ($options['headers'] ?? [] as $name => $value) {     // the caller's win, whatever their case
            foreach (array_keys($headers) as $ours) {
                if (strcasecmp($ours, (string)$name) === 0) {
                    unset($headers[$ours]);
                }
            }
            $headers[$name] = $value;
        }
        $url = preg_match('#^https?://#i', $path) === 1 ? $path : $this->baseUrl() . $path;
        return Http::send(strtoupper($method), $url, $body, $headers, (float)($options['timeout'] ?? self::TIMEOUT));
    }

    /** An access token from `POST /oauth/token` (client credentials, form-encoded, as K2's docs do). */
    public function accessToken(string $clientId, string $clientSecret): string
    {
        $answer = $this->request('POST', '/oauth/token', http_build_query(['grant_type' => 'client_credentials',
            'client_id' => $clientId, 'client_secret' => $clientSecret]),
            ['headers' => ['Content-Type' => 'application/x-www-form-urlencoded']]);
        if ($answer->status !== 200) {
            throw new ApiException("POST /oauth/token answered {$answer->status}: {$answer->body}", 'POST', '/oauth/token',
                $answer->status, $answer->body);
        }
        return (string)$answer->json()['access_token'];
    }

    // The admin API

    /** `['status' => 'ok', 'scenario' => ..., 'clock' => ..., 'deliveries' => [...]]` */
    public function health(): array
    {
        return $this->admin('GET', '/health');
    }

    /** Sandbox time now: `['now' => ..., 'mode' => 'manual'|'real', 'scale' => float]`. */
    public function clock(): array
    {
        return $this->admin('GET', '/clock');
    }

    /**
     * Moves sandbox time forward and runs every stage change, scripted event and delivery that
     * falls due (callbacks included, retries too); answers once they ran:
     * `['now', 'mode', 'scale', 'ran' => [...]]`.
     */
    public function advance(float|int $seconds): array
    {
        return $this->admin('POST', '/clock/advance', ['seconds' => $seconds]);
    }

    /**
     * Back to the scenario's start: clock, pre-issued tokens, fixtures and id streams; created
     * resources, issued tokens and the journals are gone.
     */
    public function reset(): array
    {
        return $this->admin('POST', '/reset');
    }

    /**
     * Every callback and webhook delivery, oldest first, with its attempts. Options: `limit`
     * (the last N), `resourceId` (only that resource's callbacks).
     *
     * @param array{limit?: int, resourceId?: string} $options
     * @return list<Delivery>
     */
    public function callbacks(array $options = []): array
    {
        self::checkKeys($options, ['limit', 'resourceId'], 'callbacks()');
        $query = array_filter(['limit' => $options['limit'] ?? null, 'resource_id' => $options['resourceId'] ?? null],
            fn ($value) => $value !== null);
        $path = '/callbacks' . ($query === [] ? '' : '?' . http_build_query($query));
        return array_map([Delivery::class, 'fromArray'], $this->admin('GET', $path));
    }

    /**
     * Sends delivery `$id` once more, now, outside the retry policy; answers its journal entry.
     */
    public function redeliver(int $id): Delivery
    {
        return Delivery::fromArray($this->admin('POST', "/callbacks/$id/redeliver"));
    }

    /**
     * The K2 API requests answered (not `/__admin`), oldest first; `$limit`: the last N.
     *
     * @return list<RecordedRequest>
     */
    public function requests(?int $limit = null): array
    {
        return array_map([RecordedRequest::class, 'fromArray'],
            $this->admin('GET', '/requests' . ($limit === null ? '' : "?limit=$limit")));
    }

    /**
     * Why k2mock answered request `$id` (a `RecordedRequest`'s `id`) as it did:
     * `['request' => [...], 'summary' => string, 'k2_message' => ?string, 'details' => list<string>,
     * 'ignored_keys' => list<string>]`. For a refusal, `summary` names the field K2 wanted and
     * what the body had instead (`customer` where K2 reads `subscriber`), `ignored_keys` the keys
     * K2 does not read.
     *
     * @throws NotFoundException no such request, or no longer kept (`errorMessage`: k2mock's)
     */
    public function explainRequest(int $id): array
    {
        return $this->admin('GET', '/explain?' . http_build_query(['request' => $id]));
    }

    /**
     * Why resource `$id` is at its stage, what comes next and when, and where its callback
     * stands: `['resource' => [kind, id, path, stage, created_at], 'summary' => string,
     * 'timeline' => ['chosen_by', 'steps' => [['stage', 'at', 'reached']], 'now']|null,
     * 'callback' => ['state', 'why', 'url', 'attempts', ...]|null]`; `state` is one of `none`,
     * `none asked`, `not due yet`, `due`, `retrying`, `delivered`, `given up`. `timeline` and
     * `callback` are null for a fixture.
     *
     * @throws NotFoundException no such resource (`errorMessage`: k2mock's)
     */
    public function explainResource(string $id): array
    {
        return $this->admin('GET', '/explain?' . http_build_query(['resource' => $id]));
    }

    /**
     * Every resource: the scenario's fixtures first, then created ones, oldest first.
     *
     * @return list<ResourceSnapshot>
     */
    public function resources(): array
    {
        return array_map([ResourceSnapshot::class, 'fromArray'], $this->admin('GET', '/resources'));
    }

    /**
     * Fires the webhook event `$topic` now, to every subscription for it (on a manual clock its
     * deliveries are made before this returns). `$resource` sets fields of the topic's default
     * resource. Options: `delay` (`'30s'`), `duplicates` (extra copies), `badSignature` (signed
     * with a wrong key, so a correct handler must refuse it). Answers
     * `['at', 'event', 'id', 'deliveries', 'ran']`.
     *
     * @param array<string, mixed> $resource
     * @param array{delay?: string, duplicates?: int, badSignature?: bool} $options
     */
    public function fireEvent(string $topic, array $resource = [], array $options = []): array
    {
        self::checkKeys($options, ['delay', 'duplicates', 'badSignature'], 'fireEvent()');
        $event = ['topic' => $topic];
        if ($resource !== []) {
            $event['resource'] = (object)$resource;
        }
        if (isset($options['delay'])) {
            $event['delay'] = $options['delay'];
        }
        if (isset($options['duplicates'])) {
            $event['duplicates'] = $options['duplicates'];
        }
        if (!empty($options['badSignature'])) {
            $event['bad_signature'] = true;
        }
        return $this->admin('POST', '/events', $event);
    }

    /** The scenario's `expect` entries, checked against what happened so far. */
    public function expectations(): Expectations
    {
        return Expectations::fromArray($this->admin('GET', '/expectations'));
    }

    /** Throws ExpectationsFailedException naming every `expect` entry that does not hold. */
    public function assertExpectations(): void
    {
        $expectations = $this->expectations();
        if (!$expectations->passed) {
            throw new ExpectationsFailedException("k2mock expectations failed:\n  " . implode("\n  ",
                array_map(fn (ExpectationResult $r) => $r->description, $expectations->failures())), $expectations);
        }
    }

    // Transcripts

    /**
     * The sandbox's whole conversation as k2mock writes it (`GET .../transcript`): a YAML
     * header document, then one document per K2 API request with its answer, per callback or
     * webhook delivery attempt, and per clock advance, ports written as placeholders. On a
     * manual clock, the same seed, sandbox name and requests give the same bytes in every run.
     */
    public function transcript(): string
    {
        return $this->adminAnswer($this->adminRoot() . '/transcript', 'GET', null, 200)->body;
    }

    /**
     * Compares this run's transcript with the snapshot file at `$path` (a relative path
     * starts at the current directory). Writes the file (and its directories) when it is
     * missing, or when the environment has `K2MOCK_UPDATE_SNAPSHOTS=1`; passes when its bytes
     * are the transcript's; else throws TranscriptMismatchException naming the file, each
     * difference `POST /__admin/transcript/diff` finds (or why the file is no transcript), and
     * how to accept this run. A snapshot matches again only with the same scenario, seed and
     * sandbox name, on a manual clock.
     *
     * @throws ConflictException the sandbox runs a real clock or has no seed (k2mock's 409: its runs differ)
     * @throws TranscriptMismatchException the transcript differs from the snapshot, or the file is not a transcript
     * @throws K2MockException the snapshot cannot be read or written
     */
    public function assertTranscript(string $path): void
    {
        $file = self::absolutePath($path, null);
        $actual = $this->adminAnswer($this->adminRoot() . '/transcript?snapshot=true', 'GET', null, 200)->body;
        if (getenv(self::UPDATE_SNAPSHOTS) === '1' || !file_exists($file)) {
            self::writeSnapshot($file, $actual);
            return;
        }
        $expected = is_dir($file) ? false : @file_get_contents($file);
        if ($expected === false) {
            throw new K2MockException("cannot read the snapshot $file" . (is_dir($file) ? ': it is a directory' : ''));
        }
        if ($expected === $actual) {
            return;
        }
        try {
            $diff = $this->admin('POST', '/transcript/diff', ['expected' => $expected, 'actual' => $actual]);
        } catch (ApiException $e) {
            if ($e->status !== 400) {
                throw $e;
            }
            throw new TranscriptMismatchException("the snapshot $file is not a transcript: {$e->errorMessage}\n"
                . TranscriptMismatchException::ACCEPT, $file, [], $e->errorMessage);
        }
        $differences = array_map('strval', $diff['differences'] ?? []);
        if ($differences === []) {
            $differences = ['the bytes differ, no entry does (line endings or whitespace)'];
        }
        throw new TranscriptMismatchException("the transcript differs from $file:\n  " . implode("\n  ", $differences)
            . "\n" . TranscriptMismatchException::ACCEPT, $file, $differences, null);
    }

    /**
     * `$path` made absolute: as it is when it starts with `/`, else under `$base` (default:
     * the current directory). `.` and `..` are left in.
     *
     * @internal
     */
    public static function absolutePath(string $path, ?string $base): string
    {
        if ($path === '') {
            throw new \InvalidArgumentException('assertTranscript(): the snapshot path is empty');
        }
        if ($path[0] === '/') {
            return $path;
        }
        $base ??= getcwd();
        if ($base === false) {
            throw new K2MockException("cannot resolve the snapshot path $path: the current directory is gone");
        }
        return rtrim($base, '/') . '/' . $path;
    }

    private static function writeSnapshot(string $file, string $text): void
    {
        $dir = dirname($file);
        if (!is_dir($dir) && !@mkdir($dir, 0777, true) && !is_dir($dir)) {
            throw new K2MockException("cannot write the snapshot $file: cannot make the directory $dir");
        }
        if (@file_put_contents($file, $text) !== strlen($text)) {
            throw new K2MockException("cannot write the snapshot $file");
        }
    }

    /** The kinds k2mock serves with their stages: `[['kind', 'stages', 'final'], ...]`. */
    public function kinds(): array
    {
        return $this->admin('GET', '/kinds');
    }

    /**
     * Any admin endpoint under this sandbox's root (`/__admin`, or `/__admin/sandboxes/{id}`):
     * `admin('GET', '/topics')`. Answers the decoded JSON when the status is `$expect`, else
     * throws the typed ApiException; sends the admin token.
     */
    public function admin(string $method, string $path, mixed $body = null, int $expect = 200): mixed
    {
        return $this->adminAt($this->adminRoot() . $path, $method, $body, $expect);
    }

    protected function adminAt(string $path, string $method, mixed $body, int $expect): mixed
    {
        return $this->adminAnswer($path, $method, $body, $expect)->json();
    }

    /** An admin call's answer when its status is `$expect`, else the typed ApiException. */
    private function adminAnswer(string $path, string $method, mixed $body, int $expect): Response
    {
        $token = $this->adminToken();
        $options = $token === null ? [] : ['headers' => ['Authorization' => "Bearer $token"]];
        try {
            $answer = $this->request($method, $path, $body, $options);
        } catch (UnreachableException $e) {
            throw new UnreachableException("k2mock at {$this->baseUrl()} does not answer ($method $path): "
                . preg_replace('/^\S+ \S+: /', '', $e->getMessage()), $this->baseUrl());
        }
        if ($answer->status === $expect) {
            return $answer;
        }
        $decoded = json_decode($answer->body, true);
        $message = is_array($decoded) && isset($decoded['error_message']) ? (string)$decoded['error_message'] : $answer->body;
        if ($answer->status === 401) {
            throw new AdminTokenException('the admin API refused the admin token (' . ($token === null
                ? 'none was given' : 'wrong token') . "): $method $path answered 401: $message",
                $method, $path, 401, $message);
        }
        $class = [404 => NotFoundException::class, 409 => ConflictException::class][$answer->status] ?? ApiException::class;
        throw new $class("$method $path answered {$answer->status}: $message", $method, $path, $answer->status, $message);
    }

    /** @internal */
    public static function json(mixed $value): string
    {
        return json_encode($value, JSON_UNESCAPED_SLASHES | JSON_PRESERVE_ZERO_FRACTION | JSON_THROW_ON_ERROR);
    }

    /**
     * @param array<string, mixed> $options
     * @param list<string> $known
     * @internal
     */
    public static function checkKeys(array $options, array $known, string $where): void
    {
        $unknown = array_diff(array_keys($options), $known);
        if ($unknown !== []) {
            throw new \InvalidArgumentException("$where has no option " . implode(', ', $unknown)
                . ' (it takes: ' . implode(', ', $known) . ')');
        }
    }
}
