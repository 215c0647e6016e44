<?php
// For LifecycleTest: starts a k2mock, a CallbackReceiver and a PhpServer through the kit, prints
// their pids as one JSON line, then ends as told: `wait` (to be killed), `fatal` (a fatal
// error), `exit` (exit 0 without stopping anything).

declare(strict_types=1);

require __DIR__ . '/../../autoload.php';

$k2 = K2Mock\K2Mock::start(['scenarioYaml' => "version: 1\nclock: { mode: manual }\n"]);
$receiver = K2Mock\CallbackReceiver::start();
$app = K2Mock\PhpServer::start(__DIR__);
echo json_encode(['php' => getmypid(), 'k2mock' => $k2->pid(), 'receiver' => $receiver->pid(), 'app' => $app->pid(),
    'scenario' => $k2->scenario()]), "\n";
fflush(STDOUT);
switch ($argv[1] ?? 'wait') {
    case 'fatal':
        $GLOBALS['keep'] = [$k2, $receiver, $app];
        (function (int $x) {
        })('not an int');
        break;
    case 'exit':
        $GLOBALS['keep'] = [$k2, $receiver, $app];
        exit(0);
    default:
        sleep(60);
}
