<?php

declare(strict_types=1);

namespace K2Mock\Tests;

use K2Mock\Tests\Support\Repo;
use PHPUnit\Framework\TestCase;

/**
 * What the kit starts never outlives the PHP process that started it, however that process
 * ends: killed (SIGKILL, SIGTERM), a fatal error, or an exit without stop(); nor do their
 * temporary files. A PHP child (Support/start-and-wait.php) starts a k2mock, a receiver and a
 * php -S app, and ends so.
 */
final class LifecycleTest extends TestCase
{
    /** @return array<string, array{string, int|null}> */
    public function endings(): array
    {
        return ['SIGKILL' => ['wait', 9], 'SIGTERM' => ['wait', 15], 'a fatal error' => ['fatal', null],
            'exit without stop()' => ['exit', null]];
    }

    /** @dataProvider endings */
    public function testNothingOutlivesTheParent(string $mode, ?int $signal): void
    {
        $process = proc_open([PHP_BINARY, __DIR__ . '/Support/start-and-wait.php', $mode],
            [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
        $read = [$pipes[1]];
        $none = null;
        self::assertSame(1, stream_select($read, $none, $none, 20), 'the child reported its pids');
        $pids = json_decode((string)fgets($pipes[1]), true, 512, JSON_THROW_ON_ERROR);
        $children = [$pids['k2mock'], $pids['receiver'], $pids['app']];
        if ($signal !== null) {
            foreach ($children as $pid) {
                self::assertFalse(Repo::gone($pid), "pid $pid runs while its parent does");
            }
            proc_terminate($process, $signal);
        }
        $deadline = microtime(true) + 20;
        while (proc_get_status($process)['running'] && microtime(true) < $deadline) {
            usleep(10000);
        }
        $stderr = (string)stream_get_contents($pipes[2]);
        proc_close($process);
        if ($mode === 'fatal') {
            self::assertStringContainsString('must be of type int, string given', $stderr);
        }
        self::assertSame([], Repo::waitGone($children, 10.0), "k2mock, receiver and app gone after: $mode");
        // Their temporary files go too: the receiver's directory, the scenarioYaml file.
        $leftovers = function () use ($pids): array {
            clearstatcache();     // else is_file() answers from PHP's stat cache, polled or not
            return array_merge(glob(sys_get_temp_dir() . "/k2mock-receiver-{$pids['php']}-*") ?: [],
                is_file($pids['scenario']) ? [$pids['scenario']] : []);
        };
        $deadline = microtime(true) + 5;
        while ($leftovers() !== [] && microtime(true) < $deadline) {
            usleep(10000);
        }
        self::assertSame([], $leftovers());
    }
}
