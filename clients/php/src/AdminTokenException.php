<?php

declare(strict_types=1);

namespace K2Mock;

/** HTTP 401 from `/__admin`: the server wants an admin token, and none or a wrong one was given. */
final class AdminTokenException extends ApiException
{
}
