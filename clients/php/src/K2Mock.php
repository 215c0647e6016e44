<?php

declare(strict_types=1);

namespace K2Mock;

use K2Mock\Internal\ChildProcess;

/**
 * `k2mock serve` as a child process on 127.0.0.1 and a free port (`K2Mock::start()`), or a
 * k2mock that runs already, such as a CI service container (`K2Mock::connect()`). Its admin
 * calls act on the server's own sandbox; `sandbox()` makes another, isolated one beside it.
 *
 * A started k2mock never outlives this PHP process: `stop()` stops it, so does the end of the
 * process (exit, fatal error), and so does its death by any signal, SIGKILL included.
 */
final class K2Mock extends AdminApi
{
    /** The kit's version: the k2mock release it belongs to. */
    public const VERSION = '0.1.0';

    private const LISTENING = 'k2mock listening on ';
    private const START_OPTIONS = ['scenario', 'scenarioYaml', 'clock', 'timeScale', 'seed', 'adminToken', 'bin', 'args',
        'host', 'logFormat', 'startTimeout'];
    private const SANDBOX_OPTIONS = ['name' => 'name', 'scenario' => 'scenario', 'scenarioYaml' => 'scenario_yaml',
        'seed' => 'seed', 'clock' => 'clock', 'timeScale' => 'time_scale', 'ttl' => 'ttl'];

    /** @var array<int, \WeakReference<self>> started and not yet stopped, for the shutdown function */
    private static array $started = [];
    private static bool $shutdownRegistered = false;

    private ?ChildProcess $process = null;
    private ?string $temporaryScenario = null;
    private ?int $exitCode = null;

    private function __construct(
        private readonly string $origin,
        private readonly ?string $adminToken,
        private ?string $scenario,
    ) {
    }

    /**
     * Starts `k2mock serve --host 127.0.0.1 --port 0` and waits for its `k2mock listening on URL`
     * line. Options (all optional):
     *
     * - `scenario`: a scenario file's path (default: the built-in default scenario);
     *   `scenarioYaml`: a scenario's text instead (written to a temporary file; relative fixture
     *   paths in it resolve against the temporary directory)
     * - `clock` (`'manual'` or `'real'`), `timeScale`, `seed`, `adminToken`, `logFormat`
     *   (`text`, `json`, `none`): `serve`'s options of the same names, overriding the scenario's
     * - `args`: more `serve` arguments (a list, or one string split at spaces)
     * - `bin`: the k2mock binary (default: `$K2MOCK_BIN`, else `k2mock` on `PATH`)
     * - `host`: the address to listen on (default `127.0.0.1`)
     * - `startTimeout`: seconds to wait for it to listen (default 10)
     *
     * @param array<string, mixed> $options
     * @throws BinaryNotFoundException no binary
     * @throws ScenarioException k2mock refused the scenario (its FILE:LINE:COLUMN lines)
     * @throws StartException it exited or did not listen in time
     */
    public static function start(array $options = []): self
    {
        self::checkKeys($options, self::START_OPTIONS, 'K2Mock::start()');
        if (isset($options['scenario'], $options['scenarioYaml'])) {
            throw new \InvalidArgumentException('K2Mock::start() takes scenario or scenarioYaml, not both');
        }
        if (isset($options['clock']) && !in_array($options['clock'], ['manual', 'real'], true)) {
            throw new \InvalidArgumentException("K2Mock::start(): clock must be 'manual' or 'real', not " . var_export($options['clock'], true));
        }
        $binary = self::findBinary($options['bin'] ?? null);
        $temporary = null;
        $scenario = isset($options['scenario']) ? (string)$options['scenario'] : null;
        if (isset($options['scenarioYaml'])) {
            $temporary = tempnam(sys_get_temp_dir(), 'k2mock-scenario-');
            if ($temporary === false || !rename($temporary, $temporary . '.yaml')
                || file_put_contents($temporary . '.yaml', (string)$options['scenarioYaml']) === false) {
                throw new K2MockException('cannot write the scenario to a temporary file in ' . sys_get_temp_dir());
            }
            $temporary .= '.yaml';
            $scenario = $temporary;
        }
        $command = [$binary, 'serve', '--host', (string)($options['host'] ?? '127.0.0.1'), '--port', '0'];
        foreach (['scenario' => $scenario, 'clock' => $options['clock'] ?? null, 'time-scale' => $options['timeScale'] ?? null,
                     'seed' => $options['seed'] ?? null, 'admin-token' => $options['adminToken'] ?? null,
                     'log-format' => $options['logFormat'] ?? null] as $flag => $value) {
            if ($value !== null) {
                $command[] = "--$flag";
                $command[] = (string)$value;
            }
        }
        $args = $options['args'] ?? [];
        foreach (is_string($args) ? preg_split('/\s+/', trim($args), -1, PREG_SPLIT_NO_EMPTY) : $args as $arg) {
            $command[] = (string)$arg;
        }
        try {
            $process = new ChildProcess($command, null, null, $temporary);
            $origin = self::waitForListening($process, $command, (float)($options['startTimeout'] ?? 10.0));
        } catch (\Throwable $e) {
            if ($temporary !== null) {
                @unlink($temporary);
            }
            throw $e;
        }
        $server = new self($origin, isset($options['adminToken']) ? (string)$options['adminToken'] : null, $scenario);
        $server->process = $process;
        $server->temporaryScenario = $temporary;
        self::$started[spl_object_id($server)] = \WeakReference::create($server);
        if (!self::$shutdownRegistered) {
            self::$shutdownRegistered = true;
            register_shutdown_function([self::class, 'stopAll']);
        }
        return $server;
    }

    /**
     * A k2mock this process did not start, at `$url` (`http://HOST:PORT`), with the same admin
     * calls; `stop()` leaves it running. Waits up to `timeout` seconds (default 10; a service
     * container may still be starting) for `GET /__admin/health` to answer.
     *
     * @param array{adminToken?: string|null, timeout?: float} $options
     * @throws UnreachableException nothing answers at $url (the message names it), or it is no k2mock URL
     * @throws AdminTokenException it wants an admin token, and none or a wrong one was given
     */
    public static function connect(string $url, array $options = []): self
    {
        self::checkKeys($options, ['adminToken', 'timeout'], 'K2Mock::connect()');
        $parts = parse_url(trim($url));
        if ($parts === false || !in_array(strtolower($parts['scheme'] ?? ''), ['http', 'https'], true) || !isset($parts['host'])
            || trim($parts['path'] ?? '', '/') !== '' || isset($parts['query']) || isset($parts['fragment']) || isset($parts['user'])) {
            throw new UnreachableException("not a k2mock URL (http://HOST:PORT): '$url'", $url);
        }
        $origin = strtolower($parts['scheme']) . '://' . $parts['host'] . (isset($parts['port']) ? ':' . $parts['port'] : '');
        $server = new self($origin, $options['adminToken'] ?? null, null);
        $timeout = (float)($options['timeout'] ?? 10.0);
        $deadline = microtime(true) + $timeout;
        while (true) {
            try {
                $health = $server->health();
                break;
            } catch (UnreachableException $e) {
                if (microtime(true) >= $deadline) {
                    throw new UnreachableException($e->getMessage() . " (waited $timeout s)", $origin);
                }
                usleep(100000);
            }
        }
        $server->scenario = $health['scenario'] ?? null;
        return $server;
    }

    /**
     * The k2mock executable: `$bin`, else `$K2MOCK_BIN`, else `k2mock` on `PATH`. A `$bin` or
     * `K2MOCK_BIN` that names no executable file is an error (PATH is then not searched).
     *
     * @throws BinaryNotFoundException
     */
    public static function findBinary(?string $bin = null): string
    {
        $tarball = sprintf('Without a Swift toolchain, take the release tarball: `make dist` in a k2mock checkout writes '
            . 'dist/k2mock-%s-linux-%s.tar.gz; unpack it and point K2MOCK_BIN at its bin/k2mock.', self::VERSION, php_uname('m'));
        clearstatcache();     // a binary rebuilt (or put in place) since the last look counts
        $fromEnv = getenv('K2MOCK_BIN');
        $candidate = $bin ?? ($fromEnv === false || $fromEnv === '' ? null : $fromEnv);
        if ($candidate !== null) {
            if (is_file($candidate) && is_executable($candidate)) {
                return $candidate;
            }
            $source = $bin !== null ? "the 'bin' option" : 'K2MOCK_BIN';
            throw new BinaryNotFoundException("k2mock not found at $candidate (from $source): no executable file there. "
                . "Set K2MOCK_BIN to the k2mock binary, or unset it to use k2mock on PATH (PATH is not searched while "
                . "K2MOCK_BIN is set). $tarball");
        }
        $path = (string)getenv('PATH');
        foreach (explode(PATH_SEPARATOR, $path) as $dir) {
            $file = ($dir === '' ? '.' : rtrim($dir, '/')) . '/k2mock';
            if (is_file($file) && is_executable($file)) {
                return $file;
            }
        }
        throw new BinaryNotFoundException("k2mock not found: K2MOCK_BIN is not set and there is no k2mock on PATH ($path). "
            . "Set K2MOCK_BIN to the k2mock binary, or put k2mock on PATH. $tarball");
    }

    /** @param list<string> $command */
    private static function waitForListening(ChildProcess $process, array $command, float $timeout): string
    {
        $stdout = $process->stdout();
        $deadline = microtime(true) + $timeout;
        $line = '';
        while (!str_contains($line, "\n")) {
            $left = $deadline - microtime(true);
            $read = [$stdout];
            $write = $except = null;
            if ($left <= 0 || @stream_select($read, $write, $except, (int)$left, (int)(fmod($left, 1) * 1e6)) < 1) {
                break;
            }
            $chunk = fread($stdout, 8192);
            if ($chunk === false || $chunk === '') {
                break;     // EOF: it exited
            }
            $line .= $chunk;
        }
        $line = trim(strtok($line, "\n") ?: '');
        if (str_starts_with($line, self::LISTENING)) {
            $origin = substr($line, strlen(self::LISTENING));
            return str_replace(['://0.0.0.0:', '://[::]:'], ['://127.0.0.1:', '://[::1]:'], $origin);
        }
        $exited = $process->wait(min(2.0, max(0.0, $deadline - microtime(true)) + 0.5));
        $code = $exited ? $process->exitCode() : null;
        $process->stop(1.0);
        $log = trim($process->log());
        $shown = implode(' ', array_map('escapeshellarg', $command));
        if (preg_match_all('/^.+:\d+:\d+: .+$/m', $log, $m) > 0) {
            throw new ScenarioException("k2mock refused the scenario (exit status $code):\n" . implode("\n", $m[0]),
                $code, $log, $m[0]);
        }
        if ($code === null) {
            throw new StartException("k2mock did not listen within $timeout s ($shown):\n$log", null, $log);
        }
        throw new StartException("k2mock exited with status $code before it listened ($shown):\n$log", $code, $log);
    }

    /** Stops every k2mock this process started and has not stopped (registered at shutdown). */
    public static function stopAll(): void
    {
        foreach (self::$started as $reference) {
            $reference->get()?->stop(5.0);
        }
        self::$started = [];
    }

    /** `http://127.0.0.1:PORT`: the form the PHP SDK (`kopokopo/k2-connect-php`) wants: no trailing slash, no path. */
    public function baseUrl(): string
    {
        return $this->origin;
    }

    /** The k2mock process's id (null for a connected server). */
    public function pid(): ?int
    {
        return $this->process?->pid;
    }

    /** True for a server from `connect()`: this object never started or stops it. */
    public function isConnected(): bool
    {
        return $this->process === null;
    }

    /** The started process has not exited; for a connected server: it answers. */
    public function isRunning(): bool
    {
        if ($this->process !== null) {
            return $this->exitCode === null && $this->process->running();
        }
        try {
            $this->health();
        } catch (ApiException) {
            return true;
        } catch (UnreachableException) {
            return false;
        }
        return true;
    }

    /** The scenario file it serves (null: the built-in default; for a connected server, as it names it). */
    public function scenario(): ?string
    {
        return $this->scenario;
    }

    /** What the started k2mock wrote on stderr so far (its request log, its errors). */
    public function log(): string
    {
        return $this->process?->log() ?? '';
    }

    /**
     * SIGTERM, then waits for it to exit (callbacks under way get 1 s), SIGKILL after
     * `$timeout` s. Returns its exit status (0 for a clean stop). A connected server is left
     * running (returns null). Safe to call twice.
     */
    public function stop(float $timeout = 10.0): ?int
    {
        if ($this->process === null) {
            return null;
        }
        if ($this->exitCode === null) {
            $this->exitCode = $this->process->stop($timeout);
            unset(self::$started[spl_object_id($this)]);
            if ($this->temporaryScenario !== null) {
                @unlink($this->temporaryScenario);
            }
        }
        return $this->exitCode;
    }

    public function __destruct()
    {
        $this->stop(5.0);
    }

    // Sandboxes beside the server's own

    /**
     * Makes a sandbox on this server, isolated from every other: its own clock, resources,
     * journals, and credentials (the scenario's with `-<name>` appended). Options (all
     * optional): `name` (1 to 64 of `[A-Za-z0-9_-]`; default `sandbox-N`), `scenario` (a path
     * the *server* reads) or `scenarioYaml` (a scenario's text; neither: the server's
     * scenario), `seed`, `clock` (`manual`, `real`), `timeScale`, `ttl` (`'30m'`, or seconds:
     * it ends after that long idle).
     *
     * @param array<string, mixed> $options
     * @throws ApiException 400 (a bad option or an invalid scenario: the message names
     *     FILE:LINE:COLUMN and the key), 429 (past the server's --max-sandboxes)
     * @throws ConflictException the name is taken
     */
    public function sandbox(array $options = []): Sandbox
    {
        self::checkKeys($options, array_keys(self::SANDBOX_OPTIONS), 'K2Mock::sandbox()');
        $body = [];
        foreach (self::SANDBOX_OPTIONS as $option => $key) {
            if (isset($options[$option])) {
                $body[$key] = $options[$option];
            }
        }
        if (isset($body['ttl']) && is_int($body['ttl'])) {
            $body['ttl'] = $body['ttl'] . 's';
        }
        return new Sandbox($this, $this->admin('POST', '/sandboxes', (object)$body, 201));
    }

    /** @return list<Sandbox> every sandbox made beside the server's own, oldest first */
    public function sandboxes(): array
    {
        return array_map(fn (array $entry) => new Sandbox($this, $entry), $this->admin('GET', '/sandboxes'));
    }

    /**
     * The sandbox `$id` (made by another process, say).
     *
     * @throws NotFoundException never made, deleted, or ended by its ttl
     */
    public function getSandbox(string $id): Sandbox
    {
        return new Sandbox($this, $this->admin('GET', '/sandboxes/' . rawurlencode($id)));
    }

    protected function adminToken(): ?string
    {
        return $this->adminToken;
    }

    protected function adminRoot(): string
    {
        return '/__admin';
    }
}
