<?php

declare(strict_types=1);

namespace K2Mock;

use K2Mock\Internal\ChildProcess;

/**
 * PHP's built-in web server (`php -S`) on a free port, as a child process that never outlives
 * this one (like a started k2mock): for k2mock to call back the app under test, or for the
 * `CallbackReceiver` built on it. One request at a time, as `php -S` serves them.
 *
 *     $app = PhpServer::start(__DIR__ . '/../public/index.php', ['env' => ['ORDERS_DIR' => $dir]]);
 *     $callbackUrl = $app->url('/k2/result');
 */
final class PhpServer
{
    private ?int $exitCode = null;

    private function __construct(private readonly ChildProcess $process, private readonly string $host, private readonly int $port)
    {
    }

    /**
     * Serves `$router` (a router script: every request runs it) or, if it is a directory, that
     * document root. Options: `host` (the name the caller reaches it by; a name other than
     * `127.0.0.1`/`localhost` makes it listen on every interface, for a k2mock in a container),
     * `docroot` (with a router), `env` (more environment variables), `ini` (`-d` settings),
     * `startTimeout` (seconds, default 10), `remove` (a temporary file or directory to remove once
     * it exited, even when this process is killed).
     *
     * @param array{host?: string, docroot?: string, env?: array<string, string>, ini?: array<string, string>, startTimeout?: float, remove?: string} $options
     */
    public static function start(string $router, array $options = []): self
    {
        AdminApi::checkKeys($options, ['host', 'docroot', 'env', 'ini', 'startTimeout', 'remove'], 'PhpServer::start()');
        if (!file_exists($router)) {
            throw new K2MockException("PhpServer: no router script or document root at $router");
        }
        $host = (string)($options['host'] ?? '127.0.0.1');
        $listen = in_array($host, ['127.0.0.1', 'localhost'], true) ? '127.0.0.1' : '0.0.0.0';
        $env = getenv();
        unset($env['PHP_CLI_SERVER_WORKERS']);     // one process: requests are served in order
        $env = array_merge($env, $options['env'] ?? []);
        $php = PHP_BINARY !== '' ? PHP_BINARY : 'php';
        $ini = [];
        foreach ($options['ini'] ?? [] as $name => $value) {
            $ini[] = '-d';
            $ini[] = "$name=$value";
        }
        $target = is_dir($router) ? ['-t', $router] : array_merge(isset($options['docroot']) ? ['-t', (string)$options['docroot']] : [], [$router]);
        $timeout = (float)($options['startTimeout'] ?? 10.0);
        $problem = '';
        // Port 0: the kernel picks a free port and php -S reports it. Should a PHP report 0
        // instead, fall back to ports found free just before, a few times.
        $remove = $options['remove'] ?? null;
        $keepDir = $remove !== null && is_dir($remove);
        foreach ([0, self::freePort(), self::freePort(), self::freePort()] as $port) {
            clearstatcache();
            if ($keepDir && !is_dir($remove)) {
                mkdir($remove, 0700);       // a failed attempt's guard removed it
            }
            $process = new ChildProcess(array_merge([$php], $ini, ['-S', "$listen:$port"], $target), $env, null, $remove);
            $deadline = microtime(true) + $timeout;
            while (true) {
                if (preg_match('#Development Server \(https?://\S+:(\d+)\) started#', $process->log(), $m) === 1) {
                    if ((int)$m[1] !== 0) {
                        return new self($process, $host, (int)$m[1]);
                    }
                    $problem = 'php -S reported port 0';
                    $process->stop(2.0);
                    break;
                }
                if (!$process->running() || microtime(true) > $deadline) {
                    $problem = $process->running() ? "php -S did not start within $timeout s" : 'php -S exited';
                    $process->stop(2.0);
                    $problem .= ': ' . trim($process->log());
                    break;
                }
                usleep(2000);
            }
        }
        throw new K2MockException("PhpServer: cannot serve $router ($problem)");
    }

    private static function freePort(): int
    {
        $socket = @stream_socket_server('tcp://127.0.0.1:0');
        if ($socket === false) {
            return 0;
        }
        $name = (string)stream_socket_get_name($socket, false);
        fclose($socket);
        return (int)substr($name, strrpos($name, ':') + 1);
    }

    /** `http://HOST:PORT` followed by `$path`. */
    public function url(string $path = ''): string
    {
        return "http://{$this->host}:{$this->port}$path";
    }

    public function port(): int
    {
        return $this->port;
    }

    public function pid(): int
    {
        return $this->process->pid;
    }

    public function isRunning(): bool
    {
        return $this->exitCode === null && $this->process->running();
    }

    /** What php -S wrote on stderr (a line per request, the router's errors). */
    public function log(): string
    {
        return $this->process->log();
    }

    /** Stops it (SIGTERM, then SIGKILL); returns its exit status. Safe to call twice. */
    public function stop(): int
    {
        return $this->exitCode ??= $this->process->stop(5.0);
    }

    public function __destruct()
    {
        $this->stop();
    }
}
