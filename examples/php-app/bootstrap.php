<?php
// Loads the shop, the official K2 SDK and (for the tests) the k2mock kit: through Composer when
// `composer install` has run, else from this k2mock checkout, as `make test` runs it offline:
// the SDK from $K2_PHP_SDK (default ../../.build/sdks/k2-connect-php, unpacked by
// Tests/sdk/setup.sh), Guzzle from Debian's php-guzzlehttp-guzzle, the kit from ../../clients/php.

declare(strict_types=1);

if (is_file(__DIR__ . '/vendor/autoload.php')) {
    require __DIR__ . '/vendor/autoload.php';
    return;
}
$sdk = getenv('K2_PHP_SDK') ?: __DIR__ . '/../../.build/sdks/k2-connect-php';
if (!is_dir("$sdk/src") || !is_file('/usr/share/php/GuzzleHttp/autoload.php')) {
    fwrite(STDERR, "Run `composer install`, or have $sdk/src (Tests/sdk/setup.sh) and php-guzzlehttp-guzzle\n");
    exit(2);
}
require_once '/usr/share/php/GuzzleHttp/autoload.php';
require_once __DIR__ . '/../../clients/php/autoload.php';
spl_autoload_register(static function (string $class) use ($sdk): void {
    $roots = ['Shop\\' => __DIR__ . '/src/', 'Kopokopo\\SDK\\Requests\\' => "$sdk/src/requests/",
        'Kopokopo\\SDK\\Helpers\\' => "$sdk/src/helpers/", 'Kopokopo\\SDK\\Data\\' => "$sdk/src/data/",
        'Kopokopo\\SDK\\' => "$sdk/src/"];
    foreach ($roots as $prefix => $dir) {
        if (strncmp($class, $prefix, strlen($prefix)) === 0) {
            $file = $dir . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
            if (is_file($file)) {
                require $file;
            }
            return;
        }
    }
});
