<?php
// The two child processes of the suite: k2mock itself and the php -S callback receiver.

declare(strict_types=1);

/** Plain HTTP (PHP streams, not Guzzle) for the admin API and raw checks. */
function http(string $method, string $url, ?string $body = null, array $headers = []): array
{
    $lines = [];
    foreach ($headers as $name => $value) {
        $lines[] = "$name: $value";
    }
    if ($body !== null) {
        $lines[] = 'Content-Type: application/json';
    }
    $context = stream_context_create(['http' => [
        'method' => $method, 'header' => implode("\r\n", $lines), 'content' => $body ?? '',
        'ignore_errors' => true, 'timeout' => 30, 'protocol_version' => 1.1,
    ]]);
    $answer = file_get_contents($url, false, $context);
    $responseHeaders = function_exists('http_get_last_response_headers')
        ? http_get_last_response_headers() : ($http_response_header ?? []);
    if ($answer === false || $responseHeaders === []) {
        throw new RuntimeException("$method $url: no answer");
    }
    preg_match('#^HTTP/\S+ (\d{3})#', $responseHeaders[0], $m);
    return ['status' => (int)$m[1], 'headers' => $responseHeaders, 'body' => $answer];
}

function freePort(): int
{
    $socket = stream_socket_server('tcp://127.0.0.1:0', $errno, $errstr);
    if ($socket === false) {
        throw new RuntimeException("no free port: $errstr");
    }
    $name = stream_socket_get_name($socket, false);
    fclose($socket);
    return (int)substr($name, strrpos($name, ':') + 1);
}

/**
 * Children still running, so that a fatal error, SIGINT or SIGTERM (run.sh's timeout) stops
 * them too instead of leaving k2mock or php -S behind.
 */
final class Children
{
    /** @var array<int, object> */
    public static $running = [];

    public static function add($child): void
    {
        self::$running[spl_object_id($child)] = $child;
    }

    public static function remove($child): void
    {
        unset(self::$running[spl_object_id($child)]);
    }

    public static function stopAll(): void
    {
        foreach (array_reverse(self::$running) as $child) {
            try {
                $child->stop(false);
            } catch (Throwable $e) {
            }
        }
    }
}

register_shutdown_function([Children::class, 'stopAll']);
if (function_exists('pcntl_async_signals')) {
    pcntl_async_signals(true);
    foreach ([SIGINT, SIGTERM] as $signal) {
        pcntl_signal($signal, function (int $signal) {
            fwrite(STDERR, "php sdk suite: stopped by signal $signal\n");
            Children::stopAll();
            exit(1);
        });
    }
}

/** Stops a proc_open child with SIGTERM; returns its exit code. */
function stopChild($process, float $timeout = 10.0): int
{
    $status = proc_get_status($process);
    if ($status['running']) {
        proc_terminate($process, 15);
        $deadline = microtime(true) + $timeout;
        while (($status = proc_get_status($process))['running'] && microtime(true) < $deadline) {
            usleep(10000);
        }
        if ($status['running']) {
            proc_terminate($process, 9);
            proc_close($process);
            throw new RuntimeException("pid {$status['pid']} ignored SIGTERM for {$timeout} s");
        }
    }
    proc_close($process);
    return $status['signaled'] ? 128 + $status['termsig'] : $status['exitcode'];
}

final class K2Mock
{
    /** @var string http://127.0.0.1:PORT */
    public $origin;
    private $process;
    private $stdout;
    private $logFile;

    /** `k2mock serve --port 0` plus $arguments; waits for its one line on stdout. */
    public function __construct(string $binary, array $arguments)
    {
        $this->logFile = tempnam(sys_get_temp_dir(), 'k2mock-php-log-');
        $command = array_merge([$binary, 'serve', '--port', '0'], $arguments);
        $this->process = proc_open($command, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'],
            2 => ['file', $this->logFile, 'w']], $pipes);
        if ($this->process === false) {
            throw new RuntimeException('cannot start ' . implode(' ', $command));
        }
        $this->stdout = $pipes[1];
        $read = [$this->stdout];
        $write = $except = null;
        $line = '';
        if (stream_select($read, $write, $except, 15) > 0) {
            $line = trim((string)fgets($this->stdout));
        }
        if (strpos($line, 'k2mock listening on ') !== 0) {
            $log = (string)file_get_contents($this->logFile);
            $this->stop(false);
            throw new RuntimeException('k2mock did not start (' . implode(' ', $command) . "): '$line' $log");
        }
        $this->origin = substr($line, strlen('k2mock listening on '));
        Children::add($this);
    }

    public function admin(string $method, string $path, ?array $body = null): array
    {
        $answer = http($method, $this->origin . $path, $body === null ? null : json_encode($body));
        if ($answer['status'] !== 200) {
            throw new RuntimeException("$method $path answered {$answer['status']}: {$answer['body']}");
        }
        return json_decode($answer['body'], true);
    }

    /** Moves the manual clock; every stage change and delivery due meanwhile has run on return. */
    public function advance(float $seconds): array
    {
        return $this->admin('POST', '/__admin/clock/advance', ['seconds' => $seconds]);
    }

    public function reset(): void
    {
        $this->admin('POST', '/__admin/reset');
    }

    /** Fires a webhook event now (manual clock: delivered before this returns). */
    public function fire(string $topic, array $resource = [], array $extra = []): array
    {
        $event = ['topic' => $topic] + $extra;
        if ($resource !== []) {
            $event['resource'] = $resource;
        }
        return $this->admin('POST', '/__admin/events', $event);
    }

    /** The delivery journal: each entry has the exact `body` sent and its `signature`. */
    public function journal(): array
    {
        return $this->admin('GET', '/__admin/callbacks');
    }

    /** A raw GET with a bearer token, to look at bytes the SDK only shows parsed. */
    public function rawGet(string $url, string $token): array
    {
        return http('GET', $url, null, ['Authorization' => "Bearer $token"]);
    }

    public function log(): string
    {
        return (string)file_get_contents($this->logFile);
    }

    /** SIGTERM; k2mock must exit 0. */
    public function stop(bool $check = true): void
    {
        if ($this->process === null) {
            return;
        }
        $process = $this->process;
        $this->process = null;
        Children::remove($this);
        fclose($this->stdout);
        $code = stopChild($process);
        @unlink($this->logFile);
        if ($check && $code !== 0) {
            throw new RuntimeException("k2mock exited $code after SIGTERM (expected 0)");
        }
    }
}

/** `php -S` with receiver_router.php: records every POST's raw body and headers. */
final class Receiver
{
    /** @var string http://127.0.0.1:PORT */
    public $origin;
    private $process;
    private $dir;
    private $logFile;

    public function __construct()
    {
        $this->dir = sys_get_temp_dir() . '/k2mock-php-receiver-' . getmypid() . '-' . bin2hex(random_bytes(4));
        mkdir($this->dir);
        $this->logFile = $this->dir . '.log';
        for ($try = 1; $try <= 5; $try++) {
            $port = freePort();
            $env = ['K2_RECEIVER_DIR' => $this->dir, 'PATH' => getenv('PATH') ?: '/usr/bin:/bin'];
            $this->process = proc_open([PHP_BINARY, '-S', "127.0.0.1:$port", '-t', $this->dir,
                __DIR__ . '/receiver_router.php'], [0 => ['file', '/dev/null', 'r'],
                1 => ['file', $this->logFile, 'a'], 2 => ['file', $this->logFile, 'a']], $pipes, null, $env);
            $deadline = microtime(true) + 5;
            while (microtime(true) < $deadline && proc_get_status($this->process)['running']) {
                $socket = @fsockopen('127.0.0.1', $port, $errno, $errstr, 0.2);
                if ($socket !== false) {
                    fclose($socket);
                    $this->origin = "http://127.0.0.1:$port";
                    Children::add($this);
                    return;
                }
                usleep(20000);
            }
            stopChild($this->process);
        }
        throw new RuntimeException('the php -S receiver did not start: ' . file_get_contents($this->logFile));
    }

    public function url(string $path): string
    {
        return $this->origin . $path;
    }

    /** Every request so far, oldest first: method, path, headers, signature, body (exact bytes). */
    public function received(): array
    {
        $files = glob($this->dir . '/*.json');
        sort($files);
        $entries = [];
        foreach ($files as $file) {
            $entry = json_decode((string)file_get_contents($file), true);
            $entry['body'] = base64_decode($entry['body_base64']);
            $entry['signature'] = self::header($entry['headers'], 'X-KopoKopo-Signature');
            $entries[] = $entry;
        }
        return $entries;
    }

    /** The requests to one path; exactly $count of them, else fail. */
    public function at(string $path, int $count): array
    {
        $entries = array_values(array_filter($this->received(), function ($e) use ($path) {
            return $e['path'] === $path;
        }));
        if (count($entries) !== $count) {
            fail("expected $count POSTs to $path, the receiver got " . count($entries) . ': '
                . show(array_map(function ($e) {
                    return $e['method'] . ' ' . $e['path'];
                }, $this->received())));
        }
        return $entries;
    }

    /** Waits (wall time) until $count requests reached $path. */
    public function waitFor(string $path, int $count, float $timeout): array
    {
        $deadline = microtime(true) + $timeout;
        while (true) {
            $entries = array_values(array_filter($this->received(), function ($e) use ($path) {
                return $e['path'] === $path;
            }));
            if (count($entries) >= $count || microtime(true) > $deadline) {
                return $entries;
            }
            usleep(50000);
        }
    }

    public static function header(array $headers, string $name): ?string
    {
        foreach ($headers as $key => $value) {
            if (strcasecmp($key, $name) === 0) {
                return $value;
            }
        }
        return null;
    }

    public function clear(): void
    {
        foreach (glob($this->dir . '/*') as $file) {
            unlink($file);
        }
    }

    public function stop(bool $unused = true): void
    {
        if ($this->process === null) {
            return;
        }
        Children::remove($this);
        stopChild($this->process);
        $this->process = null;
        $this->clear();
        @rmdir($this->dir);
        @unlink($this->logFile);
    }
}
