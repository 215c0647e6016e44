<?php

declare(strict_types=1);

namespace K2Mock;

/**
 * HTTP 409: a sandbox of that name exists already (or one of its scenario's credentials is
 * taken), or a transcript snapshot was asked of a sandbox on a real clock or without a seed (its
 * times or ids differ in every run).
 */
final class ConflictException extends ApiException
{
}
