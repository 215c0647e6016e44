<?php
// Negative cases, each through the SDK's own error handling: no token (refused by the SDK
// itself, or sent empty), a bad token (401), an unknown resource id (404), a refused request
// (400). FailedResponseData reads error_code / error_message.

declare(strict_types=1);

/** One call per service method that takes a token, with valid options otherwise. */
function everyCall(Context $c): array
{
    $callback = $c->receiver->url('/never');
    $K2 = $c->K2;
    return [
        'StkService::initiateIncomingPayment' => function (array $auth) use ($K2, $callback) {
            return $K2->StkService()->initiateIncomingPayment($auth + ['paymentChannel' => 'M-PESA STK Push',
                    'tillNumber' => 'K000000', 'phoneNumber' => '+254712345678', 'amount' => 100, 'currency' => 'KES',
                    'callbackUrl' => $callback]);
        },
        'PayService::addPayRecipient' => function (array $auth) use ($K2) {
            return $K2->PayService()->addPayRecipient($auth + ['type' => 'till', 'tillNumber' => '555555',
                    'tillName' => 'Shop']);
        },
        'PayService::sendPay' => function (array $auth) use ($K2, $callback) {
            return $K2->PayService()->sendPay($auth + ['destinationType' => 'mobile_wallet',
                    'destinationReference' => DOCS_RECIPIENT, 'amount' => 100, 'currency' => 'KES',
                    'description' => 'x', 'callbackUrl' => $callback]);
        },
        'SettlementTransferService::createMerchantBankAccount' => function (array $auth) use ($K2) {
            return $K2->SettlementTransferService()->createMerchantBankAccount($auth + ['accountName' => 'A',
                    'accountNumber' => '1', 'bankBranchRef' => '633aa26c-7b7c-4091-ae28-96c0687cf886',
                    'settlementMethod' => 'EFT']);
        },
        'SettlementTransferService::createMerchantWallet' => function (array $auth) use ($K2) {
            return $K2->SettlementTransferService()->createMerchantWallet($auth + ['firstName' => 'A',
                    'lastName' => 'B', 'phoneNumber' => '+254712345678', 'network' => 'Safaricom']);
        },
        'SettlementTransferService::settleFunds' => function (array $auth) use ($K2, $callback) {
            return $K2->SettlementTransferService()->settleFunds($auth + ['callbackUrl' => $callback]);
        },
        'PollingService::pollTransactions' => function (array $auth) use ($K2, $callback) {
            return $K2->PollingService()->pollTransactions($auth + ['fromTime' => START, 'toTime' => START,
                    'scope' => 'company', 'callbackUrl' => $callback]);
        },
        'SmsNotificationService::sendTransactionSmsNotification' => function (array $auth) use ($K2, $callback) {
            return $K2->SmsNotificationService()->sendTransactionSmsNotification($auth + [
                    'webhookEventReference' => '2133dbfb-24b9-40fc-ae57-2d7559785760', 'message' => 'Hi',
                    'callbackUrl' => $callback]);
        },
        'Webhooks::subscribe' => function (array $auth) use ($K2, $callback) {
            return $K2->Webhooks()->subscribe($auth + ['eventType' => 'customer_created', 'url' => $callback,
                    'scope' => 'company']);
        },
        'Service::getStatus' => function (array $auth) use ($K2, $c) {
            return $K2->PayService()->getStatus($auth + ['location' => $c->mock->origin . '/api/v1/pay_recipients/' . DOCS_RECIPIENT]);
        },
    ];
}

function requestCount(Context $c): int
{
    return count($c->mock->admin('GET', '/__admin/requests'));
}

test('errors: no token: every service refuses before sending anything', function (Context $c) {
    $before = requestCount($c);
    foreach (everyCall($c) as $name => $call) {
        eq($call([]), ['status' => 'error', 'data' => 'You have to provide the accessToken'], "$name without accessToken");
    }
    eq($c->K2->TokenService()->infoToken([]), ['status' => 'error', 'data' => 'You have to provide the accessToken'],
        'TokenService::infoToken without accessToken');
    eq(requestCount($c), $before, 'requests k2mock received');
});

test('errors: an empty token reaches k2mock and is refused 401 "missing"', function (Context $c) {
    foreach (everyCall($c) as $name => $call) {
        eq($call(['accessToken' => '']), ['status' => 'error', 'data' => ['errorCode' => 401,
            'errorMessage' => 'The access token is missing']], "$name with an empty token");
    }
});

test('errors: a bad token is refused 401 "invalid" on every service', function (Context $c) {
    foreach (everyCall($c) as $name => $call) {
        eq($call(['accessToken' => 'not-a-token']), ['status' => 'error', 'data' => ['errorCode' => 401,
            'errorMessage' => 'The access token is invalid']], "$name with a bad token");
    }
    eq($c->K2->TokenService()->infoToken(['accessToken' => 'not-a-token']), ['status' => 'error', 'data' => [
        'error' => 'invalid_token', 'errorDescription' => 'The access token is invalid']], 'infoToken with a bad token');
    eq(success($c->K2->TokenService()->introspectToken(['accessToken' => $c->token]), 'introspect')['data']['active'],
        true, 'the good token still works');
});

test('errors: an unknown resource id is 404 through every service\'s getStatus', function (Context $c) {
    $unknown = '00000000-0000-4000-8000-000000000000';
    $services = ['incoming_payments' => [$c->K2->StkService(), 'incoming_payment'],
        'pay_recipients' => [$c->K2->PayService(), 'pay_recipient'],
        'payments' => [$c->K2->PayService(), 'payment'],
        'merchant_bank_accounts' => [$c->K2->SettlementTransferService(), 'merchant_bank_account'],
        'merchant_wallets' => [$c->K2->SettlementTransferService(), 'merchant_wallet'],
        'settlement_transfers' => [$c->K2->SettlementTransferService(), 'settlement_transfer'],
        'polling' => [$c->K2->PollingService(), 'polling'],
        'transaction_sms_notifications' => [$c->K2->SmsNotificationService(), 'transaction_sms_notification'],
        'webhook_subscriptions' => [$c->K2->Webhooks(), 'webhook_subscription']];
    foreach ($services as $collection => [$service, $type]) {
        $result = $service->getStatus(['location' => $c->mock->origin . "/api/v1/$collection/$unknown",
            'accessToken' => $c->token]);
        eq($result['status'], 'error', "getStatus of an unknown $type");
        eq($result['data']['errorCode'], 404, "getStatus of an unknown $type: errorCode");
        matches('/^No ' . $type . ' with id ' . $unknown . '$/', $result['data']['errorMessage'],
            "getStatus of an unknown $type: errorMessage");
    }
});

test('errors: requests k2mock refuses come back as 400 with its error_message', function (Context $c) {
    $result = $c->K2->PayService()->sendPay(['destinationType' => 'mobile_wallet',
        'destinationReference' => '00000000-0000-4000-8000-000000000000', 'amount' => 100, 'currency' => 'KES',
        'description' => 'x', 'callbackUrl' => $c->receiver->url('/never'), 'accessToken' => $c->token]);
    eq($result['status'], 'error', 'sendPay to an unknown recipient');
    eq($result['data']['errorCode'], 400, 'sendPay to an unknown recipient: errorCode');
    matches('/destination_reference/', $result['data']['errorMessage'], 'sendPay to an unknown recipient: errorMessage');

    $result = $c->K2->StkService()->initiateIncomingPayment(['paymentChannel' => 'M-PESA STK Push',
        'tillNumber' => 'K000000', 'phoneNumber' => '+254712345678', 'amount' => 100, 'currency' => 'USD',
        'callbackUrl' => $c->receiver->url('/never'), 'accessToken' => $c->token]);
    eq($result['status'], 'error', 'an STK push in USD');
    eq($result['data']['errorCode'], 400, 'an STK push in USD: errorCode');
    ok($result['data']['errorMessage'] !== '', 'an STK push in USD: errorMessage');
    $c->mock->advance(60);
    eq($c->receiver->received(), [], 'nothing was called back');
});

test('errors: the SDK\'s own validation refuses its README\'s STK example (phone 0712345678, no currency)',
    function (Context $c) {
        $before = requestCount($c);
        // Verbatim from the SDK README's "STK PUSH" section, but for the token.
        $readme = ['paymentChannel' => 'M-PESA STK Push', 'tillNumber' => 'K000000', 'firstName' => 'Jane',
            'lastName' => 'Doe', 'phoneNumber' => '0712345678', 'amount' => 3455, 'email' => 'example@example.com',
            'callbackUrl' => 'http://localhost:8000/test', 'accessToken' => $c->token];
        $stk = $c->K2->StkService();
        eq($stk->initiateIncomingPayment($readme), ['status' => 'error', 'data' => 'Invalid phone number format'],
            'the README example');
        eq($stk->initiateIncomingPayment(['phoneNumber' => '+254712345678'] + $readme), ['status' => 'error',
            'data' => 'You have to provide the currency'], 'the README example with a +254 phone');
        eq(requestCount($c), $before, 'requests k2mock received');
    });

test('errors: a baseUrl with a trailing slash still works (the SDK then sends //api/v1/...)', function (Context $c) {
    $K2 = $c->sdk(['baseUrl' => $c->mock->origin . '/']);
    $token = success($K2->TokenService()->getToken(), 'getToken')['data']['accessToken'];
    $result = $K2->PayService()->addPayRecipient(['type' => 'till', 'tillNumber' => '555555', 'tillName' => 'Shop',
        'accessToken' => $token]);
    $c->locationOf($result, 'pay_recipients');
    has(success($K2->PayService()->getStatus(['location' => $result['location'], 'accessToken' => $token]),
        'getStatus')['data'], ['recipientType' => 'Till', 'tillNumber' => '555555'], 'the till recipient');
});
