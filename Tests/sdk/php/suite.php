<?php
// The PHP SDK suite: kopokopo/k2-connect-php (1.4 line, v1 API) against the real k2mock binary.
//   php suite.php [NAME-FILTER]     (env: K2MOCK_BIN, K2_PHP_SDK; run.sh sets both)

declare(strict_types=1);

require __DIR__ . '/lib/bootstrap.php';
require __DIR__ . '/lib/processes.php';

use Kopokopo\SDK\K2;

const CLIENT_ID = 'php-client';
const CLIENT_SECRET = 'php-secret';
const API_KEY = 'php-api-key';
const PRE_ISSUED_TOKEN = 'php-pre-issued-token';
const START = '2021-01-28T10:00:00+03:00';            // scenario.yaml's clock start
const DOCS_RECIPIENT = 'c7f300c0-f1ef-4151-9bbe-005005aa3747';  // the docs' pay recipient fixture

/** What every manual-clock test gets: a reset k2mock, an empty receiver, the SDK and a token. */
final class Context
{
    /** @var Mock k2mock, started through the kit (lib/processes.php) */
    public $mock;
    /** @var Receiver */
    public $receiver;
    /** @var K2 */
    public $K2;
    /** @var string */
    public $token;

    public function sdk(array $overrides = []): K2
    {
        return new K2($overrides + ['clientId' => CLIENT_ID, 'clientSecret' => CLIENT_SECRET,
                'apiKey' => API_KEY, 'baseUrl' => $this->mock->origin]);
    }

    /** A location the SDK returned: an absolute URL back to this k2mock. Returns the id. */
    public function locationOf(array $result, string $collection): string
    {
        success($result, "create in $collection");
        matches('#^' . preg_quote($this->mock->origin . "/api/v1/$collection/", '#') . '(' . UUID . ')$#',
            $result['location'], "location of the new $collection");
        return substr($result['location'], strrpos($result['location'], '/') + 1);
    }

    /** getStatus through the given service; the SDK's reader must succeed. */
    public function status($service, string $location, string $what): array
    {
        return success($service->getStatus(['location' => $location, 'accessToken' => $this->token]),
            "getStatus of $what")['data'];
    }

    /**
     * One delivery the receiver got: checks it against k2mock's journal (same bytes, same
     * signature), makes the SDK's own verifier accept it and refuse it tampered, and returns
     * what the SDK's webhookHandler decomposed it into.
     */
    public function verify(array $delivery, ?K2 $K2 = null, ?Mock $mock = null): array
    {
        $K2 = $K2 ?? $this->K2;
        $mock = $mock ?? $this->mock;
        $body = $delivery['body'];
        $signature = $delivery['signature'];
        eq($delivery['method'], 'POST', 'delivery method');
        matches('#^application/json#', Receiver::header($delivery['headers'], 'Content-Type'), 'delivery Content-Type');
        matches('/^[0-9a-f]{64}$/', $signature, 'X-KopoKopo-Signature (lowercase hex HMAC-SHA256)');
        eq($delivery['server_signature'], $signature, "\$_SERVER['HTTP_X_KOPOKOPO_SIGNATURE'] as the SDK README reads it");
        $journaled = array_values(array_filter($mock->journal(), function ($entry) use ($body) {
            return $entry['body'] === $body;
        }));
        ok(count($journaled) >= 1, 'the journal (GET /__admin/callbacks) holds the exact body received');
        eq($journaled[0]['signature'], $signature, 'the journal signature is the one received');

        $result = $K2->Webhooks()->webhookHandler($body, $signature);
        success($result, 'the SDK verifier (Webhooks::webhookHandler) on the real delivery');

        // One byte changed, or a wrong signature: the SDK's verifier must refuse.
        $tampered = $body;
        $at = intdiv(strlen($body), 2);
        $tampered[$at] = $tampered[$at] === '0' ? '1' : '0';
        eq($K2->Webhooks()->webhookHandler($tampered, $signature), ['status' => 'error', 'data' => 'Unauthorized'],
            'the SDK verifier on the body with one byte changed');
        $wrong = ($signature[0] === 'a' ? 'b' : 'a') . substr($signature, 1);
        eq($K2->Webhooks()->webhookHandler($body, $wrong), ['status' => 'error', 'data' => 'Unauthorized'],
            'the SDK verifier with one signature digit changed');
        return $result['data'];
    }
}

$binary = getenv('K2MOCK_BIN') ?: '';
if ($binary === '' || !is_executable($binary)) {
    fwrite(STDERR, "K2MOCK_BIN must name the k2mock binary (got '$binary')\n");
    exit(2);
}
define('K2MOCK_BINARY', $binary);

foreach (['tokens', 'stk', 'pay', 'settlement', 'polling_sms', 'webhooks', 'errors', 'real_clock'] as $file) {
    require __DIR__ . "/tests/$file.php";
}

$started = microtime(true);
$mock = new Mock(['scenario' => __DIR__ . '/scenario.yaml', 'logFormat' => 'none']);
$receiver = new Receiver();
echo "k2mock at {$mock->origin} (" . K2MOCK_BINARY . "), receiver at {$receiver->origin}, SDK " . K2T_SDK_SRC . "\n";
try {
    [$passed, $failed] = Suite::run($argv[1] ?? '', function (string $name) use ($mock, $receiver) {
        $mock->reset();
        $receiver->clear();
        $context = new Context();
        $context->mock = $mock;
        $context->receiver = $receiver;
        $context->K2 = $context->sdk();
        $context->token = success($context->K2->TokenService()->getToken(), 'getToken')['data']['accessToken'];
        return $context;
    }, function () {
    });
} finally {
    $receiver->stop();
    $mock->stop();
}
$seconds = round(microtime(true) - $started, 1);
echo sprintf("php sdk suite (kopokopo/k2-connect-php): %d passed, %d failed in %.1f s\n", $passed, count($failed), $seconds);
if ($failed !== []) {
    echo "failed:\n  " . implode("\n  ", $failed) . "\n";
    exit(1);
}
exit($passed > 0 ? 0 : 1);
