<?php

declare(strict_types=1);

namespace K2Mock;

/**
 * The base of every error the kit throws: k2mock could not be found, started or reached, or its
 * admin API answered an error (see the subclasses).
 */
class K2MockException extends \RuntimeException
{
}
