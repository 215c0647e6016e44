<?php

declare(strict_types=1);

namespace Shop\Tests;

use K2Mock\CallbackReceiver;
use K2Mock\PHPUnit\WithK2Mock;
use K2Mock\PhpServer;
use Kopokopo\SDK\K2;
use PHPUnit\Framework\TestCase;
use Shop\Checkout;
use Shop\OrderStore;

/**
 * The checkout against k2mock (the built-in default scenario on a manual clock: client
 * sandbox_client_id / sandbox_client_secret, api key sandbox_api_key), with the shop's own
 * front controller (public/index.php) under php -S receiving K2's callbacks.
 */
final class CheckoutTest extends TestCase
{
    use WithK2Mock;

    private static string $orders;
    private static PhpServer $web;

    /** What the shop is configured with; k2mock's base URL in the form the PHP SDK wants. */
    private static function settings(): array
    {
        return ['K2_BASE_URL' => self::k2mock()->baseUrl(), 'K2_CLIENT_ID' => 'sandbox_client_id',
            'K2_CLIENT_SECRET' => 'sandbox_client_secret', 'K2_API_KEY' => 'sandbox_api_key', 'ORDERS_DIR' => self::$orders];
    }

    public static function setUpBeforeClass(): void
    {
        self::$orders = sys_get_temp_dir() . '/shop-orders-' . bin2hex(random_bytes(6));
        self::$web = PhpServer::start(dirname(__DIR__) . '/public/index.php', ['env' => self::settings(),
            'ini' => ['error_reporting' => '-1', 'display_errors' => '0', 'log_errors' => '1']]);
    }

    /** The web process's notices, warnings and deprecations (logged on its stderr) fail the test too. */
    protected function tearDown(): void
    {
        self::assertDoesNotMatchRegularExpression('/PHP (Notice|Warning|Deprecated|Fatal error|Parse error)/', self::$web->log());
    }

    public static function tearDownAfterClass(): void
    {
        self::$web->stop();
        array_map('unlink', glob(self::$orders . '/*') ?: []);
        @rmdir(self::$orders);
    }

    private function checkout(): Checkout
    {
        $settings = self::settings();
        return new Checkout(new K2(['baseUrl' => $settings['K2_BASE_URL'], 'clientId' => $settings['K2_CLIENT_ID'],
            'clientSecret' => $settings['K2_CLIENT_SECRET'], 'apiKey' => $settings['K2_API_KEY']]), new OrderStore(self::$orders));
    }

    public function testAPaidOrderIsMarkedPaidByK2sSignedCallback(): void
    {
        $checkout = $this->checkout();
        $location = $checkout->requestPayment('order-1', '+254799999999', 1500, self::$web->url('/k2/result'));
        self::assertStringStartsWith(self::k2mock()->baseUrl() . '/api/v1/incoming_payments/', $location);
        self::assertSame('awaiting payment', $checkout->order('order-1')['status']);

        self::k2mock()->advance(10);         // the default scenario: Success after 5 s, then the callback

        [$callback] = self::k2mock()->callbacks();
        self::assertSame('delivered', $callback->outcome);
        self::assertSame(200, $callback->attempts[0]->status, 'the shop accepted it');
        $paid = $checkout->order('order-1');
        self::assertSame('paid', $paid['status']);
        self::assertSame('1500.0', $paid['paid']);
        self::assertSame($callback->json()['data']['attributes']['event']['resource']['reference'], $paid['reference']);
    }

    public function testACancelledPushMarksTheOrderFailed(): void
    {
        $checkout = $this->checkout();
        $checkout->requestPayment('order-2', '+254700000001', 500, self::$web->url('/k2/result'));   // the customer cancels
        self::k2mock()->advance(10);
        self::assertSame(['delivered'], array_map(fn ($d) => $d->outcome, self::k2mock()->callbacks()));
        $order = $checkout->order('order-2');
        self::assertSame('payment failed', $order['status']);
        self::assertStringContainsString('Request cancelled by user', json_encode($order['reason']));
    }

    public function testOnlyResultsSignedWithTheShopsKeyAreAccepted(): void
    {
        // What K2 sent, caught by the kit's receiver, then handed to the handler as the endpoint would.
        $receiver = CallbackReceiver::start(['apiKey' => 'sandbox_api_key']);
        try {
            $checkout = $this->checkout();
            $checkout->requestPayment('order-3', '+254799999999', 200, $receiver->url('/k2/result'));
            self::k2mock()->advance(10);
            [$result] = $receiver->received();
            self::assertTrue($result->verified);

            $tampered = str_replace('"status":"Success"', '"status":"Suxcess"', $result->body);
            self::assertNotSame($result->body, $tampered);
            self::assertSame(401, $checkout->handleResult($tampered, $result->signature), 'one byte changed');
            self::assertSame(401, $checkout->handleResult($result->body, hash_hmac('sha256', $result->body, 'another_key')));
            self::assertSame(401, $checkout->handleResult($result->body, null), 'no signature');
            self::assertSame('awaiting payment', $checkout->order('order-3')['status'], 'nothing refused changed the order');
            self::assertSame(200, $checkout->handleResult($result->body, $result->signature));
            self::assertSame('paid', $checkout->order('order-3')['status']);

            // The same through HTTP: the front controller answers 401, and 200 to the real thing.
            $post = fn (string $body, string $signature) => self::k2mock()->request('POST', self::$web->url('/k2/result'), $body,
                ['headers' => ['X-KopoKopo-Signature' => $signature]])->status;
            self::assertSame(401, $post($tampered, (string)$result->signature));
            self::assertSame(200, $post($result->body, (string)$result->signature));
        } finally {
            $receiver->stop();
        }
    }
}
