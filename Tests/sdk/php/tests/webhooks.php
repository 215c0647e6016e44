<?php
// Webhooks: subscribe, getStatus (WebhookSubscriptionData), and webhookHandler on every event
// topic (BuygoodsReceivedData, BuygoodsReversedData, B2bReceivedData, M2mReceivedData,
// CustomerCreatedData, TransferCompletedData).

declare(strict_types=1);

const TOPICS = ['buygoods_transaction_received', 'buygoods_transaction_reversed', 'b2b_transaction_received',
    'm2m_transaction_received', 'customer_created', 'settlement_transfer_completed'];

function subscribe(Context $c, string $topic, string $scope, ?string $scopeReference = null): array
{
    $options = ['eventType' => $topic, 'url' => $c->receiver->url("/hooks/$topic"), 'scope' => $scope,
        'accessToken' => $c->token];
    if ($scopeReference !== null) {
        $options['scopeReference'] = $scopeReference;
    }
    $result = $c->K2->Webhooks()->subscribe($options);
    return ['id' => $c->locationOf($result, 'webhook_subscriptions'), 'location' => $result['location']];
}

/** Fires one event and returns [the SDK's decomposition, the event id, the raw envelope]. */
function fireAndRead(Context $c, string $topic, array $resource, int $nth = 1): array
{
    $event = $c->mock->fire($topic, $resource);
    eq(count($event['deliveries']), 1, "deliveries of the $topic event");
    $deliveries = $c->receiver->at("/hooks/$topic", $nth);
    $delivery = $deliveries[$nth - 1];
    $envelope = json_decode($delivery['body'], true);
    eq($envelope['id'], $event['id'], 'the delivered event is the one fired');
    return [$delivery, $event['id'], $envelope];
}

function links(Context $c, string $eventId, string $collection, string $resourceId): array
{
    return ['linkSelf' => $c->mock->origin . "/webhook_events/$eventId",
        'linkResource' => $c->mock->origin . "/$collection/$resourceId"];
}

test('Webhooks: subscribe (till and company scope), read back by WebhookSubscriptionData', function (Context $c) {
    $webhooks = $c->K2->Webhooks();
    $till = subscribe($c, 'buygoods_transaction_received', 'till', '000000');
    eq($c->status($webhooks, $till['location'], 'the till subscription'), ['id' => $till['id'],
        'type' => 'webhook_subscription', 'eventType' => 'buygoods_transaction_received',
        'webhookUri' => $c->receiver->url('/hooks/buygoods_transaction_received'), 'status' => 'Active',
        'scope' => 'till', 'scopeReference' => '000000'], 'WebhookSubscriptionData (till)');
    $company = subscribe($c, 'customer_created', 'company');
    eq($c->status($webhooks, $company['location'], 'the company subscription'), ['id' => $company['id'],
        'type' => 'webhook_subscription', 'eventType' => 'customer_created',
        'webhookUri' => $c->receiver->url('/hooks/customer_created'), 'status' => 'Active',
        'scope' => 'company', 'scopeReference' => null], 'WebhookSubscriptionData (company)');
    // The till subscription gets its till's buygoods events only.
    $c->mock->fire('buygoods_transaction_received', ['till_number' => '555555']);
    $c->receiver->at('/hooks/buygoods_transaction_received', 0);
    $c->mock->fire('buygoods_transaction_received');
    $c->receiver->at('/hooks/buygoods_transaction_received', 1);
    // An SDK-side refusal: a till scope needs a scopeReference.
    eq($webhooks->subscribe(['eventType' => 'b2b_transaction_received', 'url' => $c->receiver->url('/x'),
        'scope' => 'till', 'accessToken' => $c->token]), ['status' => 'error',
        'data' => 'You have to provide the scopeReference'], 'subscribe, till scope without scopeReference');
});

test('Webhooks: every event topic delivered, verified and decomposed by webhookHandler', function (Context $c) {
    subscribe($c, 'buygoods_transaction_received', 'till', '000000');
    foreach (array_slice(TOPICS, 1) as $topic) {
        subscribe($c, $topic, 'company');
    }
    $common = function (string $topic, string $id, string $eventType) {
        return ['id' => $id, 'topic' => $topic, 'createdAt' => START, 'eventType' => $eventType];
    };

    foreach (['buygoods_transaction_received' => 'Received', 'buygoods_transaction_reversed' => 'Reversed'] as $topic => $status) {
        [$delivery, $id, $envelope] = fireAndRead($c, $topic, ['reference' => 'PHPBG00001', 'amount' => '1250.0',
            'sender_phone_number' => '+254712345678', 'sender_first_name' => 'Jane', 'sender_middle_name' => 'Wanjiru',
            'sender_last_name' => 'Doe']);
        $resourceId = $envelope['event']['resource']['id'];
        eq($c->verify($delivery), $common($topic, $id, 'Buygoods Transaction') + [
            'resourceId' => $resourceId, 'reference' => 'PHPBG00001', 'originationTime' => START,
            'senderPhoneNumber' => '+254712345678', 'amount' => '1250.0', 'currency' => 'KES', 'tillNumber' => '000000',
            'system' => 'Lipa Na M-PESA', 'status' => $status, 'senderFirstName' => 'Jane',
            'senderMiddleName' => 'Wanjiru', 'senderLastName' => 'Doe',
        ] + links($c, $id, 'financial_transaction', $resourceId), "$topic decomposed");
    }

    $topic = 'b2b_transaction_received';
    [$delivery, $id, $envelope] = fireAndRead($c, $topic, ['reference' => 'PHPB2B0001', 'amount' => '313.0',
        'sending_till' => '111222']);
    $resourceId = $envelope['event']['resource']['id'];
    eq($c->verify($delivery), $common($topic, $id, 'External Till to Till Transaction') + [
        'resourceId' => $resourceId, 'reference' => 'PHPB2B0001', 'originationTime' => START, 'sendingTill' => '111222',
        'amount' => '313.0', 'currency' => 'KES', 'tillNumber' => '000000', 'system' => 'Lipa Na Mpesa',
        'status' => 'Complete'] + links($c, $id, 'financial_transaction', $resourceId), "$topic decomposed");

    $topic = 'm2m_transaction_received';
    [$delivery, $id, $envelope] = fireAndRead($c, $topic, ['amount' => '777.0', 'sending_merchant' => 'Acme Ltd']);
    $resourceId = $envelope['event']['resource']['id'];
    eq($c->verify($delivery), $common($topic, $id, 'Merchant to Merchant Transaction') + [
        'resourceId' => $resourceId, 'originationTime' => START, 'sendingMerchant' => 'Acme Ltd', 'amount' => '777.0',
        'currency' => 'KES', 'status' => 'Received'] + links($c, $id, 'payment_batches', $resourceId), "$topic decomposed");

    $topic = 'customer_created';
    [$delivery, $id, $envelope] = fireAndRead($c, $topic, ['first_name' => 'Jane', 'middle_name' => 'Wanjiru',
        'last_name' => 'Doe', 'phone_number' => '+254712345678']);
    $resourceId = $envelope['event']['resource']['id'];
    eq($c->verify($delivery), $common($topic, $id, 'Customer Created') + ['firstName' => 'Jane',
        'middleName' => 'Wanjiru', 'lastName' => 'Doe', 'phoneNumber' => '+254712345678']
        + links($c, $id, 'mobile_money_user', $resourceId), "$topic decomposed");

    // settlement_transfer_completed, with a mobile-wallet destination (read from destination.resource).
    $topic = 'settlement_transfer_completed';
    [$delivery, $id, $envelope] = fireAndRead($c, $topic, ['amount' => '2500.0', 'destination' => [
        'type' => 'Mobile Wallet', 'resource' => ['reference' => 'b6a9d5b0-8a4e-4f3e-9d6b-2f6f3a1c0e11',
            'first_name' => 'Jane', 'last_name' => 'Merchant', 'phone_number' => '+254711222333',
            'network' => 'Safaricom']]]);
    $resource = $envelope['event']['resource'];
    eq($c->verify($delivery), $common($topic, $id, 'Settlement Transfer') + [
        'resourceId' => $resource['id'], 'originationTime' => START, 'amount' => '2500.0', 'currency' => 'KES',
        'status' => 'Transferred', 'destinationType' => 'Mobile Wallet',
        'destinationReference' => 'b6a9d5b0-8a4e-4f3e-9d6b-2f6f3a1c0e11', 'firstName' => 'Jane',
        'lastName' => 'Merchant', 'phoneNumber' => '+254711222333', 'network' => 'Safaricom',
        'disbursements' => $resource['disbursements']] + links($c, $id, 'transfer_batch', $resource['id']),
        "$topic (Mobile Wallet) decomposed");
    eq($resource['disbursements'][0]['status'], 'Transferred', 'disbursement status');
});

test('Webhooks: settlement_transfer_completed to a bank account (SDK bug pinned: TransferCompletedData.php:28)',
    function (Context $c) {
        $topic = 'settlement_transfer_completed';
        subscribe($c, $topic, 'company');
        // K2's shape (the SDK's own tests/Mocks/hooks/transfercompleted.json, and k2mock's
        // default): the bank fields sit under destination.resource. The SDK reads them one
        // level up, directly under destination.
        [$delivery, $id, $envelope] = fireAndRead($c, $topic, []);
        $destination = $envelope['event']['resource']['destination'];
        eq($destination['type'], 'Bank Account', 'the default destination type');
        try {
            $c->K2->Webhooks()->webhookHandler($delivery['body'], $delivery['signature']);
            fail('webhookHandler read the bank destination without a warning: the SDK bug is fixed, update this test');
        } catch (ErrorException $e) {
            eq($e->getMessage(), 'Undefined array key "settlement_method"', 'the warning');
        }
        expectWarning('Undefined array key "settlement_method"', 'SDK src/data/TransferCompletedData.php:28');

        // Workaround: the same bank fields also directly under destination, where the SDK reads them.
        $nested = $destination['resource'];
        [$delivery, $id, $envelope] = fireAndRead($c, $topic, ['destination' => [
            'type' => 'Bank Account', 'resource' => $nested, 'settlement_method' => $nested['settlement_method'],
            'bank_branch_ref' => $nested['bank_branch_ref'], 'account_name' => $nested['account_name'],
            'account_number' => $nested['account_number']]], 2);
        $resource = $envelope['event']['resource'];
        eq($c->verify($delivery), ['id' => $id, 'topic' => $topic, 'createdAt' => START,
            'eventType' => 'Settlement Transfer', 'resourceId' => $resource['id'], 'originationTime' => START,
            'amount' => '49452.0', 'currency' => 'KES', 'status' => 'Transferred', 'destinationType' => 'Bank Account',
            'destinationReference' => $nested['reference'], 'settlementMethod' => 'EFT',
            'bankBranchRef' => '633aa26c-7b7c-4091-ae28-96c0687cf886', 'accountName' => 'Demo Merchant',
            'accountNumber' => '1234567890', 'disbursements' => $resource['disbursements']]
            + links($c, $id, 'transfer_batch', $resource['id']), 'settlement_transfer_completed (Bank Account) decomposed');
    });

test('Webhooks: a delivery signed with the wrong key is refused by the SDK verifier', function (Context $c) {
    foreach (['buygoods_transaction_received', 'customer_created'] as $topic) {
        subscribe($c, $topic, 'company');
        $c->mock->fire($topic, [], ['bad_signature' => true]);
        [$delivery] = $c->receiver->at("/hooks/$topic", 1);
        matches('/^[0-9a-f]{64}$/', $delivery['signature'], 'a signature is sent');
        eq($c->K2->Webhooks()->webhookHandler($delivery['body'], $delivery['signature']),
            ['status' => 'error', 'data' => 'Unauthorized'], "webhookHandler on the badly signed $topic event");
        // The same body with the right signature is accepted (only the signature was wrong).
        success($c->K2->Webhooks()->webhookHandler($delivery['body'], hash_hmac('sha256', $delivery['body'], API_KEY)),
            "webhookHandler on the $topic body correctly signed");
    }
});
