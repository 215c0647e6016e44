<?php

declare(strict_types=1);

namespace K2Mock\PHPUnit;

use K2Mock\K2Mock;

/**
 * The one k2mock the tests of this PHP process share for their sandboxes (WithK2MockSandbox):
 * `$K2MOCK_URL` (with `$K2MOCK_ADMIN_TOKEN`), a k2mock that runs already such as a CI service
 * container, which is never stopped; else one started at first use (with
 * `$K2MOCK_BIN` / PATH) and stopped when the process ends.
 */
final class SharedServer
{
    private static ?K2Mock $server = null;

    public static function get(): K2Mock
    {
        if (self::$server === null) {
            $url = getenv('K2MOCK_URL');
            $token = getenv('K2MOCK_ADMIN_TOKEN');
            $token = $token === false || $token === '' ? null : $token;
            self::$server = $url !== false && $url !== ''
                ? K2Mock::connect($url, ['adminToken' => $token])
                : K2Mock::start(['adminToken' => $token, 'logFormat' => 'none']);
        }
        return self::$server;
    }

    /** Stops a started one now (a connected one is left running); the next get() starts or connects again. */
    public static function stop(): void
    {
        self::$server?->stop();
        self::$server = null;
    }
}
