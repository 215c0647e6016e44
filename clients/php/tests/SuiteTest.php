<?php

declare(strict_types=1);

namespace K2Mock\Tests;

use K2Mock\K2Mock;
use K2Mock\Tests\Support\Repo;
use PHPUnit\Framework\TestCase;

/** The suite's own guarantees, each checked by running PHPUnit on a fixture with the kit's phpunit.xml. */
final class SuiteTest extends TestCase
{
    /** @param array<string, string|false> $env */
    private static function phpunit(array $arguments, array $env = []): array
    {
        return Repo::run(array_merge([PHP_BINARY, '/usr/bin/phpunit', '-c', dirname(__DIR__) . '/phpunit.xml'], $arguments),
            $env + ['K2MOCK_KIT_FIXTURE' => '1'], dirname(__DIR__));
    }

    public function testAParityCaseWithoutImplementationFails(): void
    {
        $parity = Repo::tempFile(json_encode(['cases' => [['id' => 'version'], ['id' => 'teleport']]]), '.json');
        [$status, $out] = self::phpunit(['--filter', 'testParityCase', 'tests/ParityTest.php'], ['K2MOCK_PARITY_JSON' => $parity]);
        self::assertSame(1, $status, $out);
        self::assertStringContainsString("parity case 'teleport' ($parity) has no implementation: add ParityTest::caseTeleport()", $out);
        self::assertStringContainsString('Tests: 2, Assertions: 6, Failures: 1.', $out, 'version passed, teleport failed');
    }

    public function testPhpWarningsAndDeprecationsFailTheTestTheyHappenIn(): void
    {
        [$status, $out] = self::phpunit(['tests/Fixtures/WarnsCase.php']);
        self::assertSame(2, $status, $out);
        self::assertStringContainsString('Tests: 2, Assertions: 3, Errors: 2.', $out);
        self::assertStringContainsString('Undefined array key "data"', $out);
        self::assertStringContainsString('trim(): Passing null to parameter #1 ($string) of type string is deprecated', $out);
    }

    public function testAK2mockThatCannotStartFailsItsClassSayingWhy(): void
    {
        [$status, $out] = self::phpunit(['tests/Fixtures/NoBinaryCase.php'], ['K2MOCK_BIN' => '/nonexistent/k2mock']);
        self::assertSame(2, $status, $out);
        self::assertStringContainsString('K2Mock\BinaryNotFoundException: k2mock not found at /nonexistent/k2mock (from K2MOCK_BIN)', $out);
    }

    public function testParallelProcessesShareOneServiceContainerASandboxPerTest(): void
    {
        // The service container: a k2mock the tests did not start, guarded by an admin token.
        [$server, $url] = Repo::serveElsewhere(['--admin-token', 's3cret', '--log-format', 'none']);
        $records = Repo::tempDir();
        $snapshots = Repo::tempDir();
        try {
            $env = ['K2MOCK_URL' => $url, 'K2MOCK_ADMIN_TOKEN' => 's3cret', 'K2MOCK_CALLBACK_HOST' => '127.0.0.2',
                'RECORD_DIR' => $records, 'SNAPSHOT_DIR' => $snapshots, 'K2MOCK_BIN' => '/nonexistent/never-started'];

            // Serially, as one process: each test writes its transcript snapshot.
            [$status, $out] = self::phpunit(['tests/Fixtures/SandboxCase.php'], $env + ['TEST_TOKEN' => false]);
            self::assertSame(0, $status, $out);
            $written = [];
            foreach (['a', 'b', 'c'] as $set) {
                $written[$set] = (string)file_get_contents("$snapshots/testPay-$set.yaml");
                self::assertStringContainsString("\nsandbox: \"SandboxCase_testPay_$set\"\n", $written[$set]);
            }
            array_map('unlink', glob("$records/*") ?: []);

            // As ParaTest runs them: the data sets split over two processes running at once, each
            // with its TEST_TOKEN. Same sandbox names, so their transcripts match the snapshots.
            $workers = [];
            foreach (['1' => 'testPay@[ab]', '2' => 'testPay@c'] as $token => $filter) {
                $workers[$token] = proc_open([PHP_BINARY, '/usr/bin/phpunit', '-c', dirname(__DIR__) . '/phpunit.xml',
                    '--filter', $filter, 'tests/Fixtures/SandboxCase.php'],
                    [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']],
                    $pipes, dirname(__DIR__), array_merge(getenv(), $env, ['TEST_TOKEN' => (string)$token, 'K2MOCK_KIT_FIXTURE' => '1']));
                $outputs[$token] = $pipes;
            }
            foreach ($workers as $token => $worker) {
                $out = stream_get_contents($outputs[$token][1]) . stream_get_contents($outputs[$token][2]);
                self::assertSame(0, proc_close($worker), $out);
                self::assertStringContainsString($token === 1 ? 'OK (2 tests' : 'OK (1 test', $out);
            }
            $names = [];
            foreach (glob("$records/*") ?: [] as $record) {
                $names[basename($record)] = file_get_contents($record);
            }
            ksort($names);
            self::assertSame(['SandboxCase_testPay_a' => '1', 'SandboxCase_testPay_b' => '1', 'SandboxCase_testPay_c' => '2'], $names,
                'named after the test only, whichever worker ran it');
            foreach ($written as $set => $text) {
                self::assertSame($text, file_get_contents("$snapshots/testPay-$set.yaml"), 'compared, not rewritten');
            }
            self::assertCount(3, glob("$snapshots/*") ?: []);
            $connected = K2Mock::connect($url, ['adminToken' => 's3cret', 'timeout' => 0]);
            self::assertSame([], $connected->sandboxes(), 'every sandbox was deleted after its test');
            self::assertTrue($server->running(), 'a server given by K2MOCK_URL is left running');

            [$status, $out] = self::phpunit(['tests/Fixtures/SandboxCase.php'], ['K2MOCK_ADMIN_TOKEN' => 'wrong'] + $env);
            self::assertSame(2, $status, $out);
            self::assertStringContainsString('K2Mock\AdminTokenException: the admin API refused the admin token (wrong token)', $out);
        } finally {
            self::assertSame(0, $server->stop());
        }
    }
}
