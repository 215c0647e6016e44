<?php

declare(strict_types=1);

namespace K2Mock\Tests\Support;

/**
 * The official PHP SDK (kopokopo/k2-connect-php, v1 API), as Tests/sdk/php loads it: its src/
 * from $K2_PHP_SDK (default .build/sdks/k2-connect-php, unpacked by Tests/sdk/setup.sh), and
 * Guzzle with its dependencies from Debian's php-guzzlehttp-guzzle. No Composer.
 */
final class Sdk
{
    private static ?string $src = null;

    public static function load(): void
    {
        if (self::$src !== null) {
            return;
        }
        $dir = getenv('K2_PHP_SDK') ?: Repo::path('.build/sdks/k2-connect-php');
        $guzzle = '/usr/share/php/GuzzleHttp/autoload.php';
        if (!is_dir("$dir/src") || !is_file($guzzle)) {
            throw new \RuntimeException("the official PHP SDK needs $dir/src (run Tests/sdk/setup.sh, or set K2_PHP_SDK) "
                . "and $guzzle (apt-get install php-guzzlehttp-guzzle php-curl)");
        }
        require_once $guzzle;
        self::$src = (string)realpath("$dir/src");
        spl_autoload_register(static function (string $class): void {
            $prefix = 'Kopokopo\\SDK\\';
            if (strncmp($class, $prefix, strlen($prefix)) !== 0) {
                return;
            }
            $relative = substr($class, strlen($prefix));
            // composer.json maps these sub-namespaces to lowercase folders.
            foreach (['Requests\\' => 'requests/', 'Helpers\\' => 'helpers/', 'Data\\' => 'data/'] as $ns => $folder) {
                if (strncmp($relative, $ns, strlen($ns)) === 0) {
                    $relative = $folder . substr($relative, strlen($ns));
                    break;
                }
            }
            $file = self::$src . '/' . str_replace('\\', '/', $relative) . '.php';
            if (is_file($file)) {
                require $file;
            }
        });
    }
}
