<?php
// The suite's two child processes, k2mock and the php -S callback receiver, both started through
// k2mock's PHP kit (clients/php): it finds the binary, reads the listening line, maps admin
// errors to typed exceptions, and makes sure neither process outlives the suite, even when
// run.sh's timeout or anything else kills it. The two classes below only keep the calls the
// tests were written against.

declare(strict_types=1);

require_once __DIR__ . '/../../../../clients/php/autoload.php';

use K2Mock\CallbackReceiver;
use K2Mock\K2Mock;
use K2Mock\ReceivedCallback;
use K2Mock\TimeoutException;

/** k2mock, started by the kit (K2Mock::start), with the calls the tests make. */
final class Mock
{
    /** @var string http://127.0.0.1:PORT (the kit's baseUrl(): the PHP SDK's form) */
    public $origin;
    /** @var K2Mock */
    public $kit;

    /** K2Mock::start() with $options, and the suite's K2MOCK_BIN. */
    public function __construct(array $options)
    {
        $this->kit = K2Mock::start($options + ['bin' => K2MOCK_BINARY]);
        $this->origin = $this->kit->baseUrl();
    }

    /** An admin call by its full path (`/__admin/requests`): the decoded answer; errors throw. */
    public function admin(string $method, string $path, ?array $body = null)
    {
        if (strncmp($path, '/__admin', 8) !== 0) {
            throw new InvalidArgumentException("not an admin path: $path");
        }
        return $this->kit->admin($method, substr($path, 8), $body);
    }

    /** Moves the manual clock; every stage change and delivery due meanwhile has run on return. */
    public function advance(float $seconds): array
    {
        return $this->kit->advance($seconds);
    }

    public function reset(): void
    {
        $this->kit->reset();
    }

    /** Fires a webhook event now (manual clock: delivered before this returns). $extra: `bad_signature`, `delay`, `duplicates`. */
    public function fire(string $topic, array $resource = [], array $extra = []): array
    {
        $options = [];
        foreach (['bad_signature' => 'badSignature', 'delay' => 'delay', 'duplicates' => 'duplicates'] as $key => $option) {
            if (array_key_exists($key, $extra)) {
                $options[$option] = $extra[$key];
            }
        }
        return $this->kit->fireEvent($topic, $resource, $options);
    }

    /** The delivery journal as k2mock answers it: each entry has the exact `body` sent and its `signature`. */
    public function journal(): array
    {
        return $this->kit->admin('GET', '/callbacks');
    }

    /** A raw GET with a bearer token, to look at bytes the SDK only shows parsed. */
    public function rawGet(string $url, string $token): array
    {
        $answer = $this->kit->request('GET', $url, null, ['token' => $token]);
        return ['status' => $answer->status, 'headers' => $answer->headers, 'body' => $answer->body];
    }

    public function log(): string
    {
        return $this->kit->log();
    }

    /** SIGTERM; k2mock must exit 0. */
    public function stop(bool $check = true): void
    {
        $code = $this->kit->stop();
        if ($check && $code !== 0) {
            throw new RuntimeException("k2mock exited $code after SIGTERM (expected 0)");
        }
    }
}

/** The kit's CallbackReceiver (php -S), its requests as the arrays the tests read. */
final class Receiver
{
    /** @var string http://127.0.0.1:PORT */
    public $origin;
    /** @var CallbackReceiver */
    private $kit;

    public function __construct()
    {
        $this->kit = CallbackReceiver::start();
        $this->origin = $this->kit->url('');
    }

    public function url(string $path): string
    {
        return $this->kit->url($path);
    }

    /**
     * Every request so far, oldest first: method, path, headers, signature (the header),
     * server_signature ($_SERVER['HTTP_X_KOPOKOPO_SIGNATURE'], as the SDK README reads it), body (exact bytes).
     */
    public function received(?string $path = null): array
    {
        return array_map(function (ReceivedCallback $c) {
            return ['method' => $c->method, 'path' => $c->path, 'headers' => $c->headers,
                'server_signature' => $c->signature, 'body' => $c->body,
                'signature' => self::header($c->headers, 'X-KopoKopo-Signature')];
        }, $this->kit->received($path));
    }

    /** The requests to one path; exactly $count of them, else fail. */
    public function at(string $path, int $count): array
    {
        $entries = $this->received($path);
        if (count($entries) !== $count) {
            fail("expected $count POSTs to $path, the receiver got " . count($entries) . ': '
                . show(array_map(function ($e) {
                    return $e['method'] . ' ' . $e['path'];
                }, $this->received())));
        }
        return $entries;
    }

    /** Waits (wall time) until $count requests reached $path; returns those that came. */
    public function waitFor(string $path, int $count, float $timeout): array
    {
        try {
            $this->kit->waitFor($count, $timeout, $path);
        } catch (TimeoutException $e) {
            // the caller checks the count
        }
        return $this->received($path);
    }

    public static function header(array $headers, string $name): ?string
    {
        foreach ($headers as $key => $value) {
            if (strcasecmp((string)$key, $name) === 0) {
                return $value;
            }
        }
        return null;
    }

    public function clear(): void
    {
        $this->kit->clear();
    }

    public function stop(): void
    {
        $this->kit->stop();
    }
}
