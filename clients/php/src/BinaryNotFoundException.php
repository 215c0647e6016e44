<?php

declare(strict_types=1);

namespace K2Mock;

/** No k2mock executable: neither the `bin` option, `K2MOCK_BIN`, nor `PATH` gave one. */
final class BinaryNotFoundException extends K2MockException
{
}
