<?php
// PollingService (pollTransactions, getStatus, PollingData) and SmsNotificationService
// (sendTransactionSmsNotification, getStatus, TransactionSmsNotificationData).

declare(strict_types=1);

test('PollingService: company and till polls list the fired buygoods transactions; callbacks', function (Context $c) {
    // Two buygoods transactions reach the sandbox: one at till 000000, one at till 555555.
    $c->mock->fire('buygoods_transaction_received', ['reference' => 'PHPPOLL001', 'amount' => '100.0']);
    $c->mock->advance(60);
    $c->mock->fire('buygoods_transaction_received', ['reference' => 'PHPPOLL002', 'amount' => '250.0',
        'till_number' => '555555']);
    $polling = $c->K2->PollingService();
    $polls = [
        'company' => ['scope' => 'company'],
        'till' => ['scope' => 'till', 'scopeReference' => '555555'],
    ];
    $created = [];
    foreach ($polls as $name => $options) {
        $result = $polling->pollTransactions($options + ['fromTime' => '2021-01-28T09:00:00+03:00',
                'toTime' => '2021-01-28T11:00:00+03:00', 'callbackUrl' => $c->receiver->url("/poll-$name"),
                'accessToken' => $c->token]);
        $created[$name] = ['id' => $c->locationOf($result, 'polling'), 'location' => $result['location']];
    }
    $scopes = ['company' => ['Company', null], 'till' => ['Till', '555555']];
    foreach ($created as $name => $poll) {
        eq($c->status($polling, $poll['location'], "the $name poll"), ['id' => $poll['id'], 'type' => 'polling',
            'status' => 'Pending', 'fromTime' => '2021-01-28T09:00:00+03:00', 'toTime' => '2021-01-28T11:00:00+03:00',
            'scope' => $scopes[$name][0], 'scopeReference' => $scopes[$name][1], 'transactions' => [],
            'linkSelf' => $poll['location'], 'callbackUrl' => $c->receiver->url("/poll-$name")],
            "PollingData of the Pending $name poll");
    }
    $c->mock->advance(5);
    $expected = ['company' => ['PHPPOLL001' => ['100.0', '000000'], 'PHPPOLL002' => ['250.0', '555555']],
        'till' => ['PHPPOLL002' => ['250.0', '555555']]];
    foreach ($created as $name => $poll) {
        [$delivery] = $c->receiver->at("/poll-$name", 1);
        $data = $c->verify($delivery);
        eq($data, $c->status($polling, $poll['location'], "the $name poll"), "the $name callback reads as the final getStatus");
        has($data, ['id' => $poll['id'], 'type' => 'polling', 'status' => 'Success', 'scope' => $scopes[$name][0],
            'scopeReference' => $scopes[$name][1]], "PollingData of the $name callback");
        $found = [];
        foreach ($data['transactions'] as $transaction) {
            eq($transaction['type'], 'Buygoods Transaction', 'transaction type');
            $resource = $transaction['resource'];
            $found[$resource['reference']] = [$resource['amount'], $resource['till_number']];
            has($resource, ['status' => 'Received', 'currency' => 'KES', 'system' => 'Lipa Na M-PESA',
                'sender_phone_number' => '+254999999999'], 'polled transaction');
        }
        ksort($found);
        eq($found, $expected[$name], "the $name poll's transactions");
    }
});

test('SmsNotificationService: sendTransactionSmsNotification for a fired event; callback', function (Context $c) {
    $event = $c->mock->fire('buygoods_transaction_received');
    matches('/^' . UUID . '$/', $event['id'], 'the webhook event reference');
    $sms = $c->K2->SmsNotificationService();
    $result = $sms->sendTransactionSmsNotification(['webhookEventReference' => $event['id'],
        'message' => 'Thank you for your payment', 'callbackUrl' => $c->receiver->url('/sms'),
        'accessToken' => $c->token]);
    $id = $c->locationOf($result, 'transaction_sms_notifications');
    $expected = ['id' => $id, 'type' => 'transaction_sms_notification', 'status' => 'Pending',
        'message' => 'Thank you for your payment', 'webhookEventReference' => $event['id'],
        'linkSelf' => $result['location'], 'callbackUrl' => $c->receiver->url('/sms')];
    eq($c->status($sms, $result['location'], 'the SMS notification'), $expected,
        'TransactionSmsNotificationData while Pending');
    $c->mock->advance(5);
    [$delivery] = $c->receiver->at('/sms', 1);
    $data = $c->verify($delivery);
    eq($data, array_replace($expected, ['status' => 'Success']), 'TransactionSmsNotificationData of the callback');
    eq($c->status($sms, $result['location'], 'the SMS notification'), $data, 'the final getStatus');
});
