<?php
// The built-in default scenario on a real clock, as `k2mock serve` runs it: an SDK user's
// create-then-poll loop sees the STK push finish on its own (5 s) and its callback arrive.

declare(strict_types=1);

use Kopokopo\SDK\K2;

test('real clock: default scenario, an STK push polled through the SDK until Success; callback verified',
    function (Context $c) {
        $mock = new Mock(['clock' => 'real', 'logFormat' => 'none']);
        try {
            $K2 = new K2(['clientId' => 'sandbox_client_id', 'clientSecret' => 'sandbox_client_secret',
                'apiKey' => 'sandbox_api_key', 'baseUrl' => $mock->origin]);
            $token = success($K2->TokenService()->getToken(), 'getToken (default credentials)')['data']['accessToken'];
            $stk = $K2->StkService();
            $result = $stk->initiateIncomingPayment(['paymentChannel' => 'M-PESA STK Push', 'tillNumber' => 'K000000',
                'firstName' => 'Joe', 'lastName' => 'Buyer', 'phoneNumber' => '+254999999999', 'amount' => 100,
                'currency' => 'KES', 'callbackUrl' => $c->receiver->url('/real-stk'), 'accessToken' => $token]);
            success($result, 'initiateIncomingPayment');
            $created = microtime(true);
            $polls = 0;
            do {
                $status = success($stk->getStatus(['location' => $result['location'], 'accessToken' => $token]),
                    'getStatus')['data'];
                $polls++;
                if ($status['status'] !== 'Pending') {
                    break;
                }
                usleep(250000);
            } while (microtime(true) - $created < 15);
            $elapsed = microtime(true) - $created;
            eq($status['status'], 'Success', sprintf('status after %.1f s (%d polls)', $elapsed, $polls));
            ok($elapsed >= 4.5, sprintf('Success came after the default 5 s (%.2f s)', $elapsed));
            has($status, ['amount' => '100.0', 'senderPhoneNumber' => '+254999999999', 'resourceStatus' => 'Received',
                'tillNumber' => 'K000000'], 'StkData once Success');

            $deliveries = $c->receiver->waitFor('/real-stk', 1, 10);
            eq(count($deliveries), 1, 'callbacks received on the real clock');
            eq($c->verify($deliveries[0], $K2, $mock), $status, 'the callback, verified with sandbox_api_key');
        } finally {
            $mock->stop();
        }
    });
