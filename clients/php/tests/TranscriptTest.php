<?php

declare(strict_types=1);

namespace K2Mock\Tests;

use K2Mock\ConflictException;
use K2Mock\K2Mock;
use K2Mock\K2MockException;
use K2Mock\Sandbox;
use K2Mock\Tests\Support\Repo;
use K2Mock\TranscriptMismatchException;
use PHPUnit\Framework\AssertionFailedError;
use PHPUnit\Framework\TestCase;

/**
 * Transcript snapshots beyond the parity case: unreadable snapshots, update mode, where a
 * relative path starts, the server's own sandbox. Every sandbox runs a manual clock.
 */
final class TranscriptTest extends TestCase
{
    use \K2Mock\PHPUnit\WithK2Mock;

    private const ACCEPT = "Accept this run's transcript with K2MOCK_UPDATE_SNAPSHOTS=1.";

    private ?Sandbox $sandbox = null;

    protected static function k2mockOptions(): array
    {
        return ['clock' => 'manual', 'seed' => 7];
    }

    /** A sandbox named `transcript` (manual clock, seed 7, happy-path.yaml) in which a payment of $amount was made and called back. */
    private function paid(int $amount = 1500): Sandbox
    {
        $this->sandbox?->delete();
        $this->sandbox = self::k2mock()->sandbox(['name' => 'transcript', 'clock' => 'manual', 'seed' => 7,
            'scenario' => Repo::path('scenarios/happy-path.yaml')]);
        $created = $this->sandbox->request('POST', '/api/v2/incoming_payments',
            Repo::stkPush('http://127.0.0.1:' . Repo::closedPort() . '/k2/result', '+254799999999', $amount),
            ['token' => $this->sandbox->accessToken()]);
        self::assertSame(201, $created->status, $created->body);
        $this->sandbox->advance(10);
        return $this->sandbox;
    }

    /** @after */
    public function deleteSandbox(): void
    {
        $this->sandbox?->delete();
        $this->sandbox = null;
        putenv('K2MOCK_UPDATE_SNAPSHOTS');
    }

    /** @return array<string, array{string, string}> a file's text, and the start of k2mock's reason */
    public function unreadable(): array
    {
        return [
            'not YAML' => ["entry: [1,\n", 'expected:2: not YAML: '],
            'no header' => ["a: 1\n", 'expected:1: no format: not a k2mock transcript'],
            'empty' => ['', 'expected:1: empty: a transcript starts with its header'],
        ];
    }

    /** @dataProvider unreadable */
    public function testAnUnreadableSnapshotFailsNamingTheFileAndK2mocksReason(string $text, string $reason): void
    {
        $file = Repo::tempDir() . '/paid.yaml';
        file_put_contents($file, $text);
        $sandbox = $this->paid();
        try {
            $sandbox->assertTranscript($file);
            self::fail('assertTranscript() against an unreadable snapshot');
        } catch (TranscriptMismatchException $e) {
            self::assertInstanceOf(K2MockException::class, $e);
            self::assertSame($file, $e->path);
            self::assertSame([], $e->differences);
            self::assertStringStartsWith($reason, (string)$e->unreadable);
            self::assertSame("the snapshot $file is not a transcript: {$e->unreadable}\n" . self::ACCEPT, $e->getMessage());
            $message = $e->getMessage();
        }
        try {
            self::assertK2MockTranscript($file, $sandbox);
            self::fail('assertK2MockTranscript() against an unreadable snapshot');
        } catch (AssertionFailedError $e) {
            self::assertSame($message, $e->getMessage());
        }
        self::assertSame($text, file_get_contents($file), 'left as it was');
    }

    public function testUpdateModeRewritesEvenAnUnreadableSnapshotAndOnlyOne(): void
    {
        $file = Repo::tempDir() . '/paid.yaml';
        file_put_contents($file, "not: [a transcript\n");
        $sandbox = $this->paid();
        putenv('K2MOCK_UPDATE_SNAPSHOTS=0');
        try {
            $sandbox->assertTranscript($file);
            self::fail('K2MOCK_UPDATE_SNAPSHOTS=0 is not update mode');
        } catch (TranscriptMismatchException $e) {
            self::assertNotNull($e->unreadable);
        }
        putenv('K2MOCK_UPDATE_SNAPSHOTS=1');
        $sandbox->assertTranscript($file);
        self::assertSame($sandbox->transcript(), file_get_contents($file));

        $this->paid(2500)->assertTranscript($file);
        self::assertStringContainsString('"amount": "2500.0"', (string)file_get_contents($file), 'rewritten although it was a transcript');
        putenv('K2MOCK_UPDATE_SNAPSHOTS');
        try {
            $this->paid(1500)->assertTranscript($file);
            self::fail('update mode is off again');
        } catch (TranscriptMismatchException $e) {
            self::assertContains('entry 2, POST /api/v2/incoming_payments: request_body.amount.value: 2500 → 1500', $e->differences);
        }
    }

    public function testARelativePathStartsAtTheCurrentDirectory(): void
    {
        $dir = Repo::tempDir();
        $elsewhere = Repo::tempDir();
        $saved = (string)getcwd();
        $sandbox = $this->paid();
        try {
            chdir($dir);
            $sandbox->assertTranscript('snapshots/paid.yaml');
            self::assertFileExists("$dir/snapshots/paid.yaml");
            $sandbox->assertTranscript('./snapshots/paid.yaml');
            chdir($elsewhere);
            $sandbox->assertTranscript("$dir/snapshots/paid.yaml");     // an absolute path is itself
            $sandbox->assertTranscript('snapshots/paid.yaml');
            self::assertFileExists("$elsewhere/snapshots/paid.yaml", 'missing from the new current directory: written there');
            $sandbox = $this->paid(2500);
            try {
                $sandbox->assertTranscript('snapshots/paid.yaml');
                self::fail('another amount');
            } catch (TranscriptMismatchException $e) {
                self::assertSame("$elsewhere/snapshots/paid.yaml", $e->path, 'the message names the file with its directory');
                self::assertStringStartsWith("the transcript differs from $elsewhere/snapshots/paid.yaml:\n  entry 2, ", $e->getMessage());
            }
        } finally {
            chdir($saved);
        }
    }

    public function testTheTraitsStartARelativePathAtTheTestFilesDirectory(): void
    {
        $dir = Repo::tempDir();
        mkdir("$dir/tests");
        file_put_contents("$dir/tests/SnapshotCases.php", <<<'PHP'
            <?php
            namespace K2Mock\Tests\Generated;

            final class ServerSnapshotCase extends \PHPUnit\Framework\TestCase
            {
                use \K2Mock\PHPUnit\WithK2Mock;
            }

            final class SandboxSnapshotCase extends \PHPUnit\Framework\TestCase
            {
                use \K2Mock\PHPUnit\WithK2MockSandbox;

                protected function k2mockSandboxOptions(): array
                {
                    return ['clock' => 'manual', 'seed' => 7];
                }

                public function testPaid(): void
                {
                }

                public function check(string $path): \K2Mock\Sandbox
                {
                    $this->assertK2MockTranscript($path);
                    return $this->k2mockSandbox();
                }
            }
            PHP);
        require "$dir/tests/SnapshotCases.php";
        $sandbox = $this->paid();
        \K2Mock\Tests\Generated\ServerSnapshotCase::assertK2MockTranscript('__snapshots__/paid.yaml', $sandbox);
        self::assertSame($sandbox->transcript(), file_get_contents("$dir/tests/__snapshots__/paid.yaml"));
        self::assertFileDoesNotExist(getcwd() . '/__snapshots__/paid.yaml');

        $case = new \K2Mock\Tests\Generated\SandboxSnapshotCase('testPaid');
        $case->k2mockMakeSandbox();
        try {
            $made = $case->check('__snapshots__/empty.yaml');
            self::assertSame('SandboxSnapshotCase_testPaid', $made->name());
            self::assertStringContainsString("\nsandbox: \"SandboxSnapshotCase_testPaid\"\n",
                (string)file_get_contents("$dir/tests/__snapshots__/empty.yaml"));
            $case->check("$dir/tests/__snapshots__/empty.yaml");
        } finally {
            $case->k2mockDeleteSandbox();
        }
    }

    public function testLineEndingsAloneStillFail(): void
    {
        $file = Repo::tempDir() . '/paid.yaml';
        $sandbox = $this->paid();
        file_put_contents($file, str_replace("\n", "\r\n", $sandbox->transcript()));
        try {
            $sandbox->assertTranscript($file);
            self::fail('a snapshot with CRLF line endings');
        } catch (TranscriptMismatchException $e) {
            self::assertSame(['the bytes differ, no entry does (line endings or whitespace)'], $e->differences);
        }
    }

    public function testADirectoryIsNoSnapshot(): void
    {
        $dir = Repo::tempDir();
        $this->expectException(K2MockException::class);
        $this->expectExceptionMessage("cannot read the snapshot $dir: it is a directory");
        $this->paid()->assertTranscript($dir);
    }

    public function testTheServersOwnSandboxWithASeedAndWithout(): void
    {
        $file = Repo::tempDir() . '/server.yaml';
        $pay = function (K2Mock $k2): void {
            self::assertSame(201, $k2->request('POST', '/api/v2/incoming_payments', Repo::stkPush('http://127.0.0.1:9/never'),
                ['token' => Repo::DOCS_TOKEN])->status);
            $k2->advance(10);
        };
        $k2 = self::k2mock();     // seed 7 (k2mockOptions())
        $pay($k2);
        self::assertK2MockTranscript($file);
        self::assertStringContainsString("\nsandbox: \"default\"\nscenario: \"default.yaml\"\nseed: 7\n",
            (string)file_get_contents($file));
        $k2->reset();
        $pay($k2);
        $k2->assertTranscript($file);
        self::assertSame(file_get_contents($file), $k2->transcript());

        // No seed: the ids differ in each run, so k2mock refuses a snapshot, saying why, and
        // nothing is written. And an admin token is sent.
        $unseeded = K2Mock::start(['clock' => 'manual', 'adminToken' => 's3cret']);
        try {
            self::assertSame(401, $unseeded->request('GET', '/__admin/transcript')->status, 'k2mock wants the token');
            $pay($unseeded);
            try {
                $unseeded->assertTranscript("$file.unseeded");
                self::fail('an unseeded scenario gives other ids in each run');
            } catch (ConflictException $e) {
                self::assertStringContainsString('This sandbox has no seed', $e->getMessage());
            }
            self::assertFileDoesNotExist("$file.unseeded");
            self::assertStringContainsString("\nseed: null\n", $unseeded->transcript(), 'reading it is fine');
        } finally {
            $unseeded->stop();
        }
    }
}
