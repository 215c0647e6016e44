<?php
// Loads Debian's Guzzle and the SDK's src/ (no Composer), makes every notice, warning and
// deprecation an exception, and holds the suite's tiny test runner and assertions.

declare(strict_types=1);

$sdkDir = getenv('K2_PHP_SDK') ?: '';
if ($sdkDir === '' || !is_dir($sdkDir . '/src')) {
    fwrite(STDERR, "K2_PHP_SDK must name the unpacked k2-connect-php (run Tests/sdk/setup.sh first)\n");
    exit(2);
}
define('K2T_SDK_SRC', realpath($sdkDir . '/src'));

// Debian's php-guzzlehttp-guzzle autoloader pulls in its own dependencies' autoloaders
// (GuzzleHttp/Promise, GuzzleHttp/Psr7 -> Psr/Http/Message + factory, getallheaders,
// Psr/Http/Client, Symfony/Contracts/Deprecation) through the include path /usr/share/php.
require_once '/usr/share/php/GuzzleHttp/autoload.php';

// PSR-4 for Kopokopo\SDK\, with the sub-namespaces composer.json maps to lowercase folders.
spl_autoload_register(function (string $class): void {
    $prefix = 'Kopokopo\\SDK\\';
    if (strncmp($class, $prefix, strlen($prefix)) !== 0) {
        return;
    }
    $relative = substr($class, strlen($prefix));
    foreach (['Requests\\' => 'requests/', 'Helpers\\' => 'helpers/', 'Data\\' => 'data/'] as $ns => $dir) {
        if (strncmp($relative, $ns, strlen($ns)) === 0) {
            $relative = $dir . substr($relative, strlen($ns));
            break;
        }
    }
    $file = K2T_SDK_SRC . '/' . str_replace('\\', '/', $relative) . '.php';
    if (is_file($file)) {
        require $file;
    }
});

// Every notice, warning and deprecation is recorded and thrown. The SDK's services catch
// \Exception and hand back ['status' => 'error', 'data' => message], so a thrown warning can be
// swallowed: the runner therefore also fails a test that leaves any recorded warning
// unclaimed (expectWarning claims the ones a test pins on purpose). Only errors silenced with
// `@` inside third-party code (Guzzle) are let through; the SDK's own files get no such pass.
error_reporting(E_ALL);
$GLOBALS['K2T_WARNINGS'] = [];
set_error_handler(function (int $no, string $message, string $file, int $line): bool {
    $inSdk = strncmp($file, K2T_SDK_SRC, strlen(K2T_SDK_SRC)) === 0;
    if (!$inSdk && !(error_reporting() & $no)) {
        return false;
    }
    $where = ($inSdk ? 'SDK src/' . substr($file, strlen(K2T_SDK_SRC) + 1) : $file) . ':' . $line;
    $GLOBALS['K2T_WARNINGS'][] = ['message' => $message, 'where' => $where];
    throw new ErrorException($message, 0, $no, $file, $line);
});

final class AssertionFailed extends Exception
{
}

function fail(string $what): void
{
    throw new AssertionFailed($what);
}

function ok($condition, string $what): void
{
    if ($condition !== true) {
        fail($what);
    }
}

function show($value): string
{
    return is_string($value) ? json_encode($value, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE)
        : json_encode($value, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION);
}

function eq($actual, $expected, string $what): void
{
    if ($actual !== $expected) {
        fail("$what: expected " . show($expected) . ', got ' . show($actual));
    }
}

function matches(string $pattern, $actual, string $what): void
{
    if (!is_string($actual) || preg_match($pattern, $actual) !== 1) {
        fail("$what: " . show($actual) . " does not match $pattern");
    }
}

/** Every key => value of $expected must be in $actual, identical. */
function has(array $actual, array $expected, string $what): void
{
    foreach ($expected as $key => $value) {
        if (!array_key_exists($key, $actual)) {
            fail("$what: no key '$key' in " . show($actual));
        }
        eq($actual[$key], $value, "$what [$key]");
    }
}

/** An SDK call that must have succeeded: ['status' => 'success', ...]. */
function success(array $result, string $what): array
{
    if (($result['status'] ?? null) !== 'success') {
        fail("$what: the SDK answered " . show($result));
    }
    return $result;
}

/** Claims one recorded warning whose message and place match; fails if there is none. */
function expectWarning(string $message, string $where): void
{
    foreach ($GLOBALS['K2T_WARNINGS'] as $i => $warning) {
        if ($warning['message'] === $message && $warning['where'] === $where) {
            array_splice($GLOBALS['K2T_WARNINGS'], $i, 1);
            return;
        }
    }
    fail("expected the warning '$message' at $where; recorded: " . show($GLOBALS['K2T_WARNINGS']));
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

final class Suite
{
    /** @var array<string, callable> */
    private static $tests = [];

    public static function test(string $name, callable $body): void
    {
        self::$tests[$name] = $body;
    }

    /** Runs the tests whose name contains $filter; returns [passed, failed names]. */
    public static function run(string $filter, callable $before, callable $after): array
    {
        $passed = 0;
        $failed = [];
        foreach (self::$tests as $name => $body) {
            if ($filter !== '' && strpos($name, $filter) === false) {
                continue;
            }
            $GLOBALS['K2T_WARNINGS'] = [];
            $started = microtime(true);
            $error = null;
            try {
                $context = $before($name);
                $body($context);
                if ($GLOBALS['K2T_WARNINGS'] !== []) {
                    fail('warnings were raised (a key the SDK reads may be missing): ' . show($GLOBALS['K2T_WARNINGS']));
                }
            } catch (Throwable $e) {
                $error = $e instanceof AssertionFailed ? $e->getMessage()
                    : get_class($e) . ': ' . $e->getMessage() . "\n      at " . $e->getFile() . ':' . $e->getLine();
            } finally {
                try {
                    $after($name);
                } catch (Throwable $e) {
                    $error = $error ?? ('teardown: ' . $e->getMessage());
                }
            }
            $ms = (int)round((microtime(true) - $started) * 1000);
            if ($error === null) {
                $passed++;
                echo "  ok    $name ($ms ms)\n";
            } else {
                $failed[] = $name;
                echo "  FAIL  $name ($ms ms)\n      $error\n";
            }
        }
        return [$passed, $failed];
    }
}

function test(string $name, callable $body): void
{
    Suite::test($name, $body);
}
