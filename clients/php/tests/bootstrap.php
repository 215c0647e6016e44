<?php
// The kit's suite: the kit without Composer, the official PHP SDK on demand (tests/Support/Sdk.php),
// and every notice, warning and deprecation an error (phpunit.xml converts them to exceptions).

declare(strict_types=1);

error_reporting(E_ALL);
require __DIR__ . '/../autoload.php';

// Hermetic: a k2mock named by the environment (a CI job's service container, say) is for the
// app's tests, not the kit's. SuiteTest's child runs (K2MOCK_KIT_FIXTURE) set these on purpose.
if (getenv('K2MOCK_KIT_FIXTURE') === false) {
    foreach (['K2MOCK_URL', 'K2MOCK_ADMIN_TOKEN', 'K2MOCK_CALLBACK_HOST'] as $name) {
        putenv($name);
    }
}

spl_autoload_register(static function (string $class): void {
    if (strncmp($class, 'K2Mock\\Tests\\', 13) === 0) {
        $file = __DIR__ . '/' . str_replace('\\', '/', substr($class, 13)) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});
