<?php

declare(strict_types=1);

namespace K2Mock\Internal;

use K2Mock\Response;
use K2Mock\UnreachableException;

/**
 * Plain HTTP/1.1 over PHP's own stream wrapper: no curl extension, no Composer package. Any
 * status is an answer; no answer at all (refused, unknown host, timed out) throws
 * UnreachableException naming the URL. Redirects are not followed. Emits no PHP warning.
 *
 * @internal
 */
final class Http
{
    /** @param array<string, string> $headers */
    public static function send(string $method, string $url, ?string $body, array $headers, float $timeout): Response
    {
        $lines = [];
        foreach ($headers as $name => $value) {
            $lines[] = "$name: $value";
        }
        if ($body !== null) {
            $lines[] = 'Content-Length: ' . strlen($body);
        }
        $context = stream_context_create(['http' => [
            'method' => $method,
            'header' => implode("\r\n", $lines),
            'content' => $body ?? '',
            'ignore_errors' => true,
            'follow_location' => 0,
            'timeout' => $timeout,
            'protocol_version' => 1.1,
        ]]);
        error_clear_last();
        $stream = @fopen($url, 'rb', false, $context);
        if ($stream === false) {
            $reason = error_get_last()['message'] ?? 'no answer';
            if (($at = stripos($reason, 'failed to open stream: ')) !== false) {
                $reason = substr($reason, $at + strlen('failed to open stream: '));
            }
            throw new UnreachableException("$method $url: no answer ($reason)", $url);
        }
        try {
            $answer = stream_get_contents($stream);
            $meta = stream_get_meta_data($stream);
        } finally {
            fclose($stream);
        }
        if ($answer === false || !empty($meta['timed_out'])) {
            throw new UnreachableException("$method $url: no answer within $timeout s", $url);
        }
        $status = 0;
        $responseHeaders = [];
        foreach ((array)($meta['wrapper_data'] ?? []) as $line) {
            if (preg_match('#^HTTP/\S+\s+(\d{3})#', (string)$line, $m) === 1) {
                $status = (int)$m[1];     // a later status line (after 100 Continue) wins
                $responseHeaders = [];
            } elseif (($colon = strpos((string)$line, ':')) !== false) {
                $name = strtolower(trim(substr($line, 0, $colon)));
                $value = trim(substr($line, $colon + 1));
                $responseHeaders[$name] = isset($responseHeaders[$name]) ? $responseHeaders[$name] . ', ' . $value : $value;
            }
        }
        if ($status === 0) {
            throw new UnreachableException("$method $url: not an HTTP answer", $url);
        }
        return new Response($status, $responseHeaders, $answer);
    }
}
