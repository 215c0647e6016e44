<?php

declare(strict_types=1);

namespace K2Mock\Internal;

use K2Mock\K2MockException;

/**
 * A child process that never outlives this PHP process, however it ends (exit, fatal error,
 * SIGKILL). It runs under a small POSIX sh guard (resources/k2mock-guard.sh) that holds the read
 * end of a pipe whose only write end is this process's (PHP opens proc_open pipes close-on-exec,
 * so no other child inherits it). When that end closes, because stop() closed it or because the
 * kernel closed it when this process died, the guard's watcher reads EOF and sends the child
 * SIGTERM. The guard exits with the child's status once the child has exited.
 *
 * The child's stdout is a pipe (stdout()); its stderr goes to an unlinked temporary file that
 * log() reads, so nothing is left on disk and nothing blocks when nobody reads it.
 *
 * @internal
 */
final class ChildProcess
{
    private const GUARD = __DIR__ . '/../../resources/k2mock-guard.sh';

    /** @var resource */
    private $process;
    /** @var resource|null the guard's stdin: closing it stops the child */
    private $lifeline;
    /** @var resource */
    private $stdout;
    /** @var resource */
    private $log;
    private ?int $exitCode = null;

    /** The child's own pid (not the guard's). */
    public readonly int $pid;

    /**
     * @param list<string> $command
     * @param array<string, string>|null $env null: this process's environment
     * @param string|null $remove a temporary file or directory the guard removes once the child exited
     *     (so that it goes even when this process is killed)
     */
    public function __construct(array $command, ?array $env = null, ?string $cwd = null, ?string $remove = null)
    {
        $path = tempnam(sys_get_temp_dir(), 'k2mock-log-');
        $log = $path === false ? false : fopen($path, 'a+b');
        if ($log === false) {
            throw new K2MockException('cannot make a temporary file in ' . sys_get_temp_dir());
        }
        @unlink($path);
        $this->log = $log;
        $process = @proc_open(array_merge(['/bin/sh', self::GUARD], $remove === null ? [] : ['--remove', $remove], $command),
            [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => $log, 3 => ['pipe', 'w']], $pipes, $cwd, $env);
        if ($process === false) {
            fclose($log);
            throw new K2MockException('cannot start ' . implode(' ', $command) . ': '
                . (error_get_last()['message'] ?? 'proc_open failed'));
        }
        $this->process = $process;
        $this->lifeline = $pipes[0];
        $this->stdout = $pipes[1];
        $read = [$pipes[3]];
        $write = $except = null;
        $pid = @stream_select($read, $write, $except, 10) > 0 ? trim((string)fgets($pipes[3])) : '';
        fclose($pipes[3]);
        if (!ctype_digit($pid)) {
            fclose($this->lifeline);
            $this->lifeline = null;
            proc_terminate($process, 9);
            proc_close($process);
            throw new K2MockException('cannot start ' . implode(' ', $command) . ' under /bin/sh: ' . $this->log());
        }
        $this->pid = (int)$pid;
    }

    /** @return resource the child's stdout */
    public function stdout()
    {
        return $this->stdout;
    }

    /** Everything the child wrote on stderr so far. */
    public function log(): string
    {
        // An explicit seek: stream_get_contents($log, -1, 0) misses what the child appended.
        fseek($this->log, 0);
        return (string)stream_get_contents($this->log);
    }

    public function running(): bool
    {
        if ($this->exitCode !== null) {
            return false;
        }
        $status = proc_get_status($this->process);
        if ($status['running']) {
            return true;
        }
        // proc_get_status reports the exit status only once: keep it.
        $this->exitCode = $status['signaled'] ? 128 + $status['termsig'] : $status['exitcode'];
        return false;
    }

    /** The child's exit status (128 + N when killed by signal N), or null while it runs. */
    public function exitCode(): ?int
    {
        return $this->running() ? null : $this->exitCode;
    }

    /** Waits up to $timeout seconds (wall time) for the child to exit on its own. */
    public function wait(float $timeout): bool
    {
        $deadline = microtime(true) + $timeout;
        while ($this->running()) {
            if (microtime(true) >= $deadline) {
                return false;
            }
            usleep(5000);
        }
        return true;
    }

    /**
     * SIGTERM (by closing the lifeline), then SIGKILL after $timeout seconds. Returns the exit
     * status. Safe to call more than once.
     */
    public function stop(float $timeout = 10.0): int
    {
        if ($this->lifeline !== null) {
            fclose($this->lifeline);
            $this->lifeline = null;
        }
        if (!$this->wait($timeout)) {
            $this->signal($this->pid, 9);
            if (!$this->wait(2.0)) {
                proc_terminate($this->process, 9);
                $this->wait(2.0);
            }
        }
        if (is_resource($this->stdout)) {
            fclose($this->stdout);
        }
        if (is_resource($this->process)) {
            proc_close($this->process);
        }
        return $this->exitCode ?? -1;
    }

    private function signal(int $pid, int $signal): void
    {
        if (function_exists('posix_kill')) {
            @posix_kill($pid, $signal);
            return;
        }
        $kill = @proc_open(['kill', "-$signal", (string)$pid], [['file', '/dev/null', 'r'], ['file', '/dev/null', 'w'],
            ['file', '/dev/null', 'w']], $pipes);
        if ($kill !== false) {
            proc_close($kill);
        }
    }

    public function __destruct()
    {
        if (is_resource($this->process)) {
            $this->stop(5.0);
        }
        if (is_resource($this->log)) {
            fclose($this->log);
        }
    }
}
