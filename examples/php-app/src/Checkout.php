<?php

declare(strict_types=1);

namespace Shop;

use Kopokopo\SDK\K2;

/**
 * A small shop's checkout on K2 Connect, through the official PHP SDK (kopokopo/k2-connect-php):
 * it asks the customer for an M-PESA payment (an STK push) and handles the result K2 posts back,
 * refusing any result whose X-KopoKopo-Signature is not right for the shop's api key. It knows
 * K2 only by its base URL and credentials, so its tests point it at k2mock.
 */
final class Checkout
{
    public function __construct(
        private readonly K2 $k2,
        private readonly OrderStore $orders,
        private readonly string $tillNumber = 'K000000',
    ) {
    }

    /** Configured from the environment: K2_BASE_URL, K2_CLIENT_ID, K2_CLIENT_SECRET, K2_API_KEY, ORDERS_DIR. */
    public static function fromEnvironment(): self
    {
        $setting = function (string $name): string {
            $value = getenv($name);
            if ($value === false || $value === '') {
                throw new \RuntimeException("$name is not set");
            }
            return $value;
        };
        return new self(new K2(['baseUrl' => $setting('K2_BASE_URL'), 'clientId' => $setting('K2_CLIENT_ID'),
            'clientSecret' => $setting('K2_CLIENT_SECRET'), 'apiKey' => $setting('K2_API_KEY')]),
            new OrderStore($setting('ORDERS_DIR')));
    }

    /**
     * Asks the customer at $phone (+254...) to pay $amount KES for $orderId; K2 posts the result to
     * $callbackUrl. Returns the payment's location (its status URL).
     */
    public function requestPayment(string $orderId, string $phone, int $amount, string $callbackUrl): string
    {
        $token = $this->k2->TokenService()->getToken();
        if ($token['status'] !== 'success') {
            throw new \RuntimeException('K2 refused the credentials: ' . json_encode($token['data']));
        }
        $result = $this->k2->StkService()->initiateIncomingPayment([
            'paymentChannel' => 'M-PESA STK Push', 'tillNumber' => $this->tillNumber, 'phoneNumber' => $phone,
            'amount' => $amount, 'currency' => 'KES', 'metadata' => ['order_id' => $orderId],
            'callbackUrl' => $callbackUrl, 'accessToken' => $token['data']['accessToken']]);
        if ($result['status'] !== 'success') {
            throw new \RuntimeException('K2 refused the payment request: ' . json_encode($result['data']));
        }
        $this->orders->put($orderId, ['status' => 'awaiting payment', 'amount' => $amount, 'payment' => $result['location']]);
        return $result['location'];
    }

    /**
     * The callback endpoint: verifies the signature (the SDK's webhookHandler: HMAC-SHA256 of the
     * exact body with the api key) and records the outcome on the order. Returns the HTTP status
     * to answer: 200, 401 for a wrong or missing signature, 400 for a result about no known order.
     */
    public function handleResult(string $body, ?string $signature): int
    {
        $result = $this->k2->Webhooks()->webhookHandler($body, $signature ?? '');
        if ($result['status'] !== 'success') {
            return 401;
        }
        $payment = $result['data'];
        $orderId = $payment['metadata']['order_id'] ?? null;
        $order = is_string($orderId) ? $this->orders->get($orderId) : null;
        if ($order === null) {
            return 400;
        }
        if ($payment['status'] === 'Success') {
            $order = ['status' => 'paid', 'reference' => $payment['reference'], 'paid' => $payment['amount']] + $order;
        } else {
            $order = ['status' => 'payment failed', 'reason' => $payment['errors']] + $order;
        }
        $this->orders->put($orderId, $order);
        return 200;
    }

    public function order(string $orderId): ?array
    {
        return $this->orders->get($orderId);
    }
}
