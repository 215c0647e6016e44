<?php

declare(strict_types=1);

namespace K2Mock;

/**
 * A callback and webhook receiver on 127.0.0.1 and a free port (`php -S` with a router script,
 * in a child process that never outlives this one). It keeps every request with its exact
 * body, answers each with the next scripted status (200 by default), and checks each
 * `X-KopoKopo-Signature` (lowercase hex HMAC-SHA256 of the exact body, keyed with the api key)
 * against the api key it was given.
 *
 *     $receiver = CallbackReceiver::start(['apiKey' => 'sandbox_api_key']);
 *     ... 'callback_url' => $receiver->url('/k2/result') ...
 *     $k2->advance(10);                          // manual clock: the callbacks were made
 *     [$callback] = $receiver->received();
 *     $callback->verified;                       // true
 */
final class CallbackReceiver
{
    private ?string $dir;

    private function __construct(private readonly PhpServer $server, string $dir, private readonly ?string $apiKey)
    {
        $this->dir = $dir;
    }

    /**
     * Options: `apiKey` (what signatures are checked with; without one `verified` is null),
     * `statuses` (the statuses the first requests get, in order; a 500 makes k2mock retry),
     * `host` (the name k2mock reaches this machine by, for `url()`: default `127.0.0.1`, listening
     * on loopback only; any other name, such as `host.docker.internal` or GitLab's `build` for a
     * k2mock in a container, listens on every interface).
     *
     * @param array{apiKey?: string|null, statuses?: list<int>, host?: string} $options
     */
    public static function start(array $options = []): self
    {
        AdminApi::checkKeys($options, ['apiKey', 'statuses', 'host'], 'CallbackReceiver::start()');
        $dir = sys_get_temp_dir() . '/k2mock-receiver-' . getmypid() . '-' . bin2hex(random_bytes(6));
        if (!@mkdir($dir, 0700)) {
            throw new K2MockException("CallbackReceiver: cannot make $dir");
        }
        try {
            $server = PhpServer::start(dirname(__DIR__) . '/resources/receiver-router.php', [
                'host' => $options['host'] ?? '127.0.0.1', 'docroot' => $dir, 'env' => ['K2MOCK_RECEIVER_DIR' => $dir], 'remove' => $dir,
                'ini' => ['display_errors' => '0', 'log_errors' => '1', 'error_log' => '', 'error_reporting' => (string)E_ALL]]);
        } catch (\Throwable $e) {
            @rmdir($dir);
            throw $e;
        }
        $receiver = new self($server, $dir, $options['apiKey'] ?? null);
        if (isset($options['statuses'])) {
            $receiver->respondWith(...$options['statuses']);
        }
        return $receiver;
    }

    /** `X-KopoKopo-Signature` of `$body`: lowercase hex HMAC-SHA256 keyed with `$apiKey`. */
    public static function sign(string $body, string $apiKey): string
    {
        return hash_hmac('sha256', $body, $apiKey);
    }

    /** Whether `$signature` is right for the exact `$body` and `$apiKey` (constant time). */
    public static function verify(string $body, ?string $signature, string $apiKey): bool
    {
        return $signature !== null && hash_equals(self::sign($body, $apiKey), $signature);
    }

    /** A URL on this receiver, for a `callback_url` or a webhook subscription. */
    public function url(string $path = '/k2/result'): string
    {
        return $this->server->url($path);
    }

    public function port(): int
    {
        return $this->server->port();
    }

    public function apiKey(): ?string
    {
        return $this->apiKey;
    }

    /** The statuses the next requests get, in order, then 200 (replaces any left). */
    public function respondWith(int ...$statuses): void
    {
        $file = $this->directory() . '/statuses.json';
        file_put_contents("$file.new", json_encode(array_values($statuses)));
        rename("$file.new", $file);
    }

    /**
     * Every request so far, oldest first; with `$path`, only those to that path (query included).
     *
     * @return list<ReceivedCallback>
     */
    public function received(?string $path = null): array
    {
        $files = glob($this->directory() . '/r-*.json') ?: [];
        sort($files);
        $received = [];
        foreach ($files as $file) {
            $entry = json_decode((string)file_get_contents($file), true, 512, JSON_THROW_ON_ERROR);
            if ($path !== null && $entry['path'] !== $path) {
                continue;
            }
            $body = (string)base64_decode($entry['body_base64'], true);
            $signature = $entry['signature'] ?? null;
            $received[] = new ReceivedCallback((string)$entry['method'], (string)$entry['path'], (array)$entry['headers'],
                $body, $signature, (int)$entry['status'],
                $this->apiKey === null ? null : self::verify($body, $signature, $this->apiKey));
        }
        return $received;
    }

    /**
     * Waits (wall time, for a real clock) until `$count` requests arrived (to `$path`, if
     * given) and returns them. On a manual clock there is no need: `advance()` and
     * `fireEvent()` return once their callbacks were answered.
     *
     * @return list<ReceivedCallback>
     * @throws TimeoutException fewer arrived within `$timeout` seconds
     */
    public function waitFor(int $count, float $timeout = 10.0, ?string $path = null): array
    {
        $deadline = microtime(true) + $timeout;
        while (count($received = $this->received($path)) < $count) {
            if (microtime(true) >= $deadline) {
                throw new TimeoutException(sprintf('%d of %d requests arrived at %s within %s s', count($received), $count,
                    $this->url($path ?? ''), $timeout));
            }
            usleep(10000);
        }
        return $received;
    }

    /** Throws K2MockException if any request's signature is wrong (needs an api key). */
    public function assertAllVerified(): void
    {
        if ($this->apiKey === null) {
            throw new K2MockException('the receiver has no api key to verify with');
        }
        $bad = array_filter($this->received(), fn (ReceivedCallback $c) => $c->verified !== true);
        if ($bad !== []) {
            throw new K2MockException(count($bad) . ' requests with a wrong signature: '
                . implode(', ', array_map(fn (ReceivedCallback $c) => "{$c->method} {$c->path}", $bad)));
        }
    }

    /** Forgets every request received so far and any scripted status. */
    public function clear(): void
    {
        foreach (glob($this->directory() . '/*') ?: [] as $file) {
            @unlink($file);
        }
    }

    /** What php -S logged (a line per request; the router's errors). */
    public function log(): string
    {
        return $this->server->log();
    }

    public function pid(): int
    {
        return $this->server->pid();
    }

    public function isRunning(): bool
    {
        return $this->server->isRunning();
    }

    /** Stops it and removes what it recorded. Safe to call twice. */
    public function stop(): void
    {
        $this->server->stop();
        if ($this->dir !== null) {
            $this->clear();
            @rmdir($this->dir);
            $this->dir = null;
        }
    }

    public function __destruct()
    {
        $this->stop();
    }

    private function directory(): string
    {
        if ($this->dir === null) {
            throw new K2MockException('the receiver was stopped');
        }
        return $this->dir;
    }
}
