<?php
// Router for `php -S`: the suite's callback receiver. Records every request's method, path,
// headers and exact body bytes in $K2_RECEIVER_DIR (one file each, named by arrival time),
// then answers 200 {}. The suite reads the files back (Receiver::received).

$dir = getenv('K2_RECEIVER_DIR');
$body = file_get_contents('php://input');
$entry = [
    'method' => $_SERVER['REQUEST_METHOD'],
    'path' => $_SERVER['REQUEST_URI'],
    'headers' => getallheaders(),
    // What the SDK's README passes to webhookHandler as the signature.
    'server_signature' => $_SERVER['HTTP_X_KOPOKOPO_SIGNATURE'] ?? null,
    'body_base64' => base64_encode($body),
];
$name = sprintf('%s/%020d.json', $dir, hrtime(true));
file_put_contents($name . '.part', json_encode($entry));
rename($name . '.part', $name);
http_response_code(200);
header('Content-Type: application/json');
echo '{}';
return true;
