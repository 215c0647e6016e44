<?php
// The CallbackReceiver's router for `php -S` (clients/php/src/CallbackReceiver.php): records
// every request, exact body bytes included, in $K2MOCK_RECEIVER_DIR (one file each, named by
// arrival), answering with the next status scripted in statuses.json (200 once none is left).
// php -S serves one request at a time, so the statuses are taken in order.

declare(strict_types=1);

$dir = (string)getenv('K2MOCK_RECEIVER_DIR');
$body = (string)file_get_contents('php://input');
$status = 200;
$script = "$dir/statuses.json";
if (is_file($script)) {
    $statuses = json_decode((string)file_get_contents($script), true);
    if (is_array($statuses) && $statuses !== []) {
        $status = (int)array_shift($statuses);
        file_put_contents("$script.next", json_encode($statuses));
        rename("$script.next", $script);
    }
}
$entry = [
    'method' => $_SERVER['REQUEST_METHOD'],
    'path' => $_SERVER['REQUEST_URI'],
    'headers' => function_exists('getallheaders') ? getallheaders() : [],
    // How a PHP app (and the PHP SDK's README) reads the signature.
    'signature' => $_SERVER['HTTP_X_KOPOKOPO_SIGNATURE'] ?? null,
    'status' => $status,
    'body_base64' => base64_encode($body),
];
$name = sprintf('%s/r-%020d.json', $dir, hrtime(true));
file_put_contents("$name.part", json_encode($entry, JSON_UNESCAPED_SLASHES));
rename("$name.part", $name);
http_response_code($status);
header('Content-Type: application/json');
echo '{}';
return true;
