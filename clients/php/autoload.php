<?php
// Loads the kit without Composer: require '/path/to/clients/php/autoload.php';
// (With Composer, vendor/autoload.php does the same through composer.json's PSR-4 entry.)

declare(strict_types=1);

spl_autoload_register(static function (string $class): void {
    if (strncmp($class, 'K2Mock\\', 7) !== 0) {
        return;
    }
    $file = __DIR__ . '/src/' . str_replace('\\', '/', substr($class, 7)) . '.php';
    if (is_file($file)) {
        require $file;
    }
});
