<?php

declare(strict_types=1);

namespace K2Mock;

/** `CallbackReceiver::waitFor()`: fewer requests than asked for arrived in the time given. */
final class TimeoutException extends K2MockException
{
}
