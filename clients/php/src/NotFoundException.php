<?php

declare(strict_types=1);

namespace K2Mock;

/** HTTP 404 from `/__admin`: no such sandbox (never made, deleted, ended by its ttl) or delivery. */
final class NotFoundException extends ApiException
{
}
