<?php
// The shop's front controller: K2 posts payment results to POST /k2/result.
//   K2_BASE_URL=... K2_CLIENT_ID=... K2_CLIENT_SECRET=... K2_API_KEY=... ORDERS_DIR=... php -S 127.0.0.1:8000 public/index.php

declare(strict_types=1);

require __DIR__ . '/../bootstrap.php';

if ($_SERVER['REQUEST_METHOD'] === 'POST' && parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) === '/k2/result') {
    $status = Shop\Checkout::fromEnvironment()->handleResult((string)file_get_contents('php://input'),
        $_SERVER['HTTP_X_KOPOKOPO_SIGNATURE'] ?? null);
    http_response_code($status);
    header('Content-Type: application/json');
    echo $status === 200 ? '{}' : '{"error":"refused"}';
    return;
}
http_response_code(404);
