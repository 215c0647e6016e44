<?php

declare(strict_types=1);

namespace K2Mock\Tests\Support;

use K2Mock\Internal\ChildProcess;
use K2Mock\K2Mock;

/** Paths of the k2mock checkout the kit lives in, and what the tests send. */
final class Repo
{
    public const DOCS_TOKEN = '0Sn0W6kzNicvoWhDbQcVSKLRUpGjIdlPSEYyrHqrDDoRnQwE7Q';
    public const DOCS_PAYMENT = '/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364';
    public const DOCS_RECIPIENT = 'c7f300c0-f1ef-4151-9bbe-005005aa3747';

    public static function root(): string
    {
        return dirname(__DIR__, 4);
    }

    public static function path(string $relative): string
    {
        return self::root() . '/' . $relative;
    }

    /** An STK push (incoming payment) request body. */
    public static function stkPush(string $callbackUrl, string $phone = '+254799999999', int $amount = 100): array
    {
        return ['payment_channel' => 'M-PESA STK Push', 'till_number' => 'K000000',
            'subscriber' => ['first_name' => 'Joe', 'last_name' => 'Buyer', 'phone_number' => $phone],
            'amount' => ['currency' => 'KES', 'value' => $amount], 'metadata' => ['order' => '42'],
            '_links' => ['callback_url' => $callbackUrl]];
    }

    /** A payment to the docs' pay recipient (a fixture of the default scenario). */
    public static function payment(string $callbackUrl, int $amount = 20000): array
    {
        return ['destination_type' => 'mobile_wallet', 'destination_reference' => self::DOCS_RECIPIENT,
            'amount' => ['currency' => 'KES', 'value' => $amount], 'metadata' => ['notes' => 'Salary'],
            '_links' => ['callback_url' => $callbackUrl]];
    }

    /** A port nothing listens on (bound, then closed, by the kernel's choice). */
    public static function closedPort(): int
    {
        $socket = stream_socket_server('tcp://127.0.0.1:0');
        $name = (string)stream_socket_get_name($socket, false);
        fclose($socket);
        return (int)substr($name, strrpos($name, ':') + 1);
    }

    /** Whether process $pid is gone (exited and reaped, or a zombie nobody reaped yet). */
    public static function gone(int $pid): bool
    {
        $stat = @file_get_contents("/proc/$pid/stat");
        if ($stat === false) {
            return !(function_exists('posix_kill') && posix_kill($pid, 0));
        }
        return preg_match('/^\d+ \(.*\) Z/s', $stat) === 1;
    }

    /** Waits (wall time) up to $timeout s for every pid to be gone; returns those still there. */
    public static function waitGone(array $pids, float $timeout): array
    {
        $deadline = microtime(true) + $timeout;
        do {
            $left = array_values(array_filter($pids, fn (int $pid) => !self::gone($pid)));
            if ($left === []) {
                return [];
            }
            usleep(20000);
        } while (microtime(true) < $deadline);
        return $left;
    }

    /** A temporary file with $text in it, removed at the end of the process. */
    public static function tempFile(string $text, string $suffix = '.yaml'): string
    {
        $file = tempnam(sys_get_temp_dir(), 'k2mock-php-test-');
        rename($file, $file . $suffix);
        $file .= $suffix;
        file_put_contents($file, $text);
        register_shutdown_function(static fn () => @unlink($file));
        return $file;
    }

    /** A new empty temporary directory, removed with everything in it at the end of the process. */
    public static function tempDir(): string
    {
        $dir = sys_get_temp_dir() . '/k2mock-php-test-' . bin2hex(random_bytes(6));
        mkdir($dir);
        register_shutdown_function(static fn () => self::remove($dir));
        return $dir;
    }

    /** Removes a file, or a directory with everything in it. */
    public static function remove(string $path): void
    {
        if (is_dir($path) && !is_link($path)) {
            foreach (scandir($path) ?: [] as $entry) {
                if ($entry !== '.' && $entry !== '..') {
                    self::remove("$path/$entry");
                }
            }
            @rmdir($path);
        } elseif (file_exists($path) || is_link($path)) {
            @unlink($path);
        }
    }

    /**
     * Runs a command with more environment variables; returns [exit status, stdout, stderr].
     *
     * @param list<string> $command
     * @param array<string, string|false> $env false removes a variable
     */
    public static function run(array $command, array $env = [], ?string $cwd = null, float $timeout = 120): array
    {
        $environment = getenv();
        foreach ($env as $name => $value) {
            if ($value === false) {
                unset($environment[$name]);
            } else {
                $environment[$name] = $value;
            }
        }
        $out = tmpfile();
        $err = tmpfile();
        $process = proc_open($command, [0 => ['file', '/dev/null', 'r'], 1 => $out, 2 => $err], $pipes, $cwd, $environment);
        $deadline = microtime(true) + $timeout;
        while (($status = proc_get_status($process))['running'] && microtime(true) < $deadline) {
            usleep(20000);
        }
        if ($status['running']) {
            proc_terminate($process, 9);
        }
        proc_close($process);
        fseek($out, 0);
        fseek($err, 0);
        return [$status['running'] ? -1 : $status['exitcode'], (string)stream_get_contents($out), (string)stream_get_contents($err)];
    }

    /**
     * A k2mock started outside the kit, as a service container is: `k2mock serve --port 0` with
     * `$args`, and the origin its first line names. The caller stops the process.
     *
     * @return array{0: ChildProcess, 1: string}
     */
    public static function serveElsewhere(array $args = []): array
    {
        $process = new ChildProcess(array_merge([K2Mock::findBinary(), 'serve', '--port', '0'], $args));
        $read = [$process->stdout()];
        $none = null;
        if (stream_select($read, $none, $none, 10) !== 1) {
            $process->stop();
            throw new \RuntimeException('k2mock did not say where it listens within 10 s');
        }
        return [$process, substr(trim((string)fgets($process->stdout())), strlen('k2mock listening on '))];
    }
}
