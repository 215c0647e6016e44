<?php
// PayService: addPayRecipient (every type), sendPay, getStatus, and the payment callback
// (PayRecipientData, PaymentData).

declare(strict_types=1);

function recipientOptions(Context $c): array
{
    return [
        'mobile_wallet' => ['type' => 'mobile_wallet', 'firstName' => 'Jane', 'lastName' => 'Doe',
            'phoneNumber' => '+254712345678', 'email' => 'jane@example.com', 'network' => 'Safaricom',
            'accessToken' => $c->token],
        'bank_account' => ['type' => 'bank_account', 'accountName' => 'Jane Doe', 'accountNumber' => '1234567890',
            'bankBranchRef' => '633aa26c-7b7c-4091-ae28-96c0687cf886', 'settlementMethod' => 'EFT',
            'accessToken' => $c->token],
        'till' => ['type' => 'till', 'tillNumber' => '555555', 'tillName' => 'Corner Shop', 'accessToken' => $c->token],
        'paybill' => ['type' => 'paybill', 'paybillName' => 'Power Co', 'paybillNumber' => '888880',
            'paybillAccountNumber' => 'ACC-0042', 'accessToken' => $c->token],
    ];
}

/** Adds one recipient of each type; returns type => [location, id, recipientReference]. */
function addRecipients(Context $c): array
{
    $pay = $c->K2->PayService();
    $added = [];
    foreach (recipientOptions($c) as $type => $options) {
        $result = $pay->addPayRecipient($options);
        $id = $c->locationOf($result, 'pay_recipients');
        $added[$type] = ['location' => $result['location'], 'id' => $id];
    }
    return $added;
}

test('PayService: addPayRecipient of every type, read back by PayRecipientData', function (Context $c) {
    $pay = $c->K2->PayService();
    $added = addRecipients($c);
    $expected = [
        'mobile_wallet' => ['type' => 'pay_recipient', 'recipientType' => 'Mobile Wallet', 'phoneNumber' => '+254712345678',
            'network' => 'Safaricom', 'firstName' => 'Jane', 'lastName' => 'Doe', 'email' => 'jane@example.com',
            'status' => 'Approved'],
        'bank_account' => ['type' => 'pay_recipient', 'recipientType' => 'Bank Account', 'accountNumber' => '1234567890',
            'accountName' => 'Jane Doe', 'bankBranchRef' => '633aa26c-7b7c-4091-ae28-96c0687cf886',
            'settlementMethod' => 'EFT', 'status' => 'Approved'],
        'till' => ['type' => 'pay_recipient', 'recipientType' => 'Till', 'tillNumber' => '555555',
            'tillName' => 'Corner Shop', 'status' => 'Approved'],
    ];
    foreach ($expected as $type => $fields) {
        $data = $c->status($pay, $added[$type]['location'], "the $type recipient");
        has($data, ['id' => $added[$type]['id']] + $fields, "PayRecipientData of the $type recipient");
        matches('/^' . UUID . '$/', $data['recipientReference'], "$type recipientReference");
        eq(count($data), count($fields) + 2, "$type: the keys PayRecipientData returns");
    }
    // The docs' recipient, a scenario fixture.
    has($c->status($pay, $c->mock->origin . '/api/v1/pay_recipients/' . DOCS_RECIPIENT, 'the docs\' recipient'), [
        'id' => DOCS_RECIPIENT, 'recipientType' => 'Mobile Wallet', 'phoneNumber' => '+254999999999',
        'firstName' => 'John', 'lastName' => 'Doe', 'email' => '', 'status' => 'Approved',
        'recipientReference' => '4cab4ebf-6a4c-4b2d-9c8e-1f2a3b4c5d6e'], 'the docs\' recipient');

    // SDK bug, pinned: PayRecipientData has no 'Paybill' case; its default (mobile) branch reads
    // phone_number, which a Paybill recipient does not have (K2 neither).
    eq($pay->getStatus(['location' => $added['paybill']['location'], 'accessToken' => $c->token]),
        ['status' => 'error', 'data' => 'Undefined array key "phone_number"'], 'getStatus of the paybill recipient');
    expectWarning('Undefined array key "phone_number"', 'SDK src/data/PayRecipientData.php:34');
    // Workaround: check the paybill fields the SDK's README promises on the raw body instead.
    $raw = $c->mock->rawGet($added['paybill']['location'], $c->token);
    eq($raw['status'], 200, 'raw GET of the paybill recipient');
    $attributes = json_decode($raw['body'], true)['data']['attributes'];
    has($attributes, ['recipient_type' => 'Paybill', 'status' => 'Approved', 'paybill_name' => 'Power Co',
        'paybill_number' => '888880', 'paybill_account_number' => 'ACC-0042'], 'the paybill recipient, raw');
});

test('PayService: sendPay to the docs\' recipient, Pending -> Processed -> Transferred; callback read by PaymentData',
    function (Context $c) {
        $pay = $c->K2->PayService();
        $metadata = ['customerId' => '8675309', 'notes' => 'Salary payment for May 2018'];
        $result = $pay->sendPay(['destinationType' => 'mobile_wallet', 'destinationReference' => DOCS_RECIPIENT,
            'amount' => 20000, 'currency' => 'KES', 'description' => 'Salary payment for May 2018',
            'category' => 'salaries', 'tags' => ['tag 1', 'tag 2'], 'metadata' => $metadata,
            'callbackUrl' => $c->receiver->url('/pay'), 'accessToken' => $c->token]);
        $id = $c->locationOf($result, 'payments');
        $location = $result['location'];
        $common = ['id' => $id, 'type' => 'payment', 'createdAt' => '2021-01-28T10:00:00.000+03:00',
            'amount' => 20000, 'currency' => 'KES', 'metadata' => $metadata, 'linkSelf' => $location,
            'callbackUrl' => $c->receiver->url('/pay')];

        eq($c->status($pay, $location, 'the payment'), ['id' => $id, 'type' => 'payment',
            'createdAt' => '2021-01-28T10:00:00.000+03:00', 'status' => 'Pending', 'transferBatches' => [],
            'amount' => 20000, 'currency' => 'KES', 'metadata' => $metadata, 'linkSelf' => $location,
            'callbackUrl' => $c->receiver->url('/pay')], 'PaymentData while Pending');

        $c->mock->advance(5);
        $processed = $c->status($pay, $location, 'the payment');
        has($processed, $common + ['status' => 'Processed'], 'PaymentData once Processed');
        eq(count($processed['transferBatches']), 1, 'one transfer batch once Processed');
        eq($processed['transferBatches'][0]['status'], 'Pending', 'the batch is not transferred yet');
        $c->receiver->at('/pay', 0);

        $c->mock->advance(25);
        [$delivery] = $c->receiver->at('/pay', 1);
        $data = $c->verify($delivery);
        eq($data, $c->status($pay, $location, 'the payment'), 'the callback reads exactly as the final getStatus');
        has($data, $common + ['status' => 'Processed'], 'PaymentData of the callback');
        eq(count($data['transferBatches']), 1, 'one transfer batch');
        eq($data['transferBatches'][0]['status'], 'Transferred', 'batch status');
        [$disbursement] = $data['transferBatches'][0]['disbursements'];
        has($disbursement, ['amount' => '20000.0', 'status' => 'Transferred', 'destination_type' => 'Mobile Wallet',
            'origination_time' => '2021-01-28T10:00:30.000+03:00', 'destination_reference' => DOCS_RECIPIENT],
            'the disbursement');
        matches('/^[A-Z0-9]{10}$/', $disbursement['transaction_reference'], 'transaction_reference');
    });

test('PayService: sendPay to a recipient of each type added through the SDK; four callbacks', function (Context $c) {
    $pay = $c->K2->PayService();
    $types = ['mobile_wallet' => 'Mobile Wallet', 'bank_account' => 'Bank Account', 'till' => 'Till', 'paybill' => 'Paybill'];
    $payments = [];
    foreach (addRecipients($c) as $type => $recipient) {
        // The paybill recipient cannot be read through the SDK (see above); its reference comes raw.
        $reference = json_decode($c->mock->rawGet($recipient['location'], $c->token)['body'], true)
            ['data']['attributes']['recipient_reference'];
        $result = $pay->sendPay(['destinationType' => $type, 'destinationReference' => $reference,
            'amount' => '1500.50', 'currency' => 'KES', 'description' => "Pay the $type",
            'callbackUrl' => $c->receiver->url("/pay-$type"), 'accessToken' => $c->token]);
        $payments[$type] = ['id' => $c->locationOf($result, 'payments'), 'reference' => $reference];
    }
    $c->mock->advance(30);
    foreach ($payments as $type => $payment) {
        [$delivery] = $c->receiver->at("/pay-$type", 1);
        $data = $c->verify($delivery);
        has($data, ['id' => $payment['id'], 'type' => 'payment', 'status' => 'Processed', 'amount' => '1500.5',
            'currency' => 'KES', 'metadata' => []], "PaymentData of the $type payment");
        [$disbursement] = $data['transferBatches'][0]['disbursements'];
        has($disbursement, ['amount' => '1500.5', 'status' => 'Transferred', 'destination_type' => $types[$type],
            'destination_reference' => $payment['reference']], "the $type disbursement");
    }
});

test('PayService: a payment over the balance ends Failed; callback read by PaymentData', function (Context $c) {
    $pay = $c->K2->PayService();
    $result = $pay->sendPay(['destinationType' => 'mobile_wallet', 'destinationReference' => DOCS_RECIPIENT,
        'amount' => 404, 'currency' => 'KES', 'description' => 'Too much',
        'callbackUrl' => $c->receiver->url('/pay-failed'), 'accessToken' => $c->token]);
    $id = $c->locationOf($result, 'payments');
    $c->mock->advance(10);
    [$delivery] = $c->receiver->at('/pay-failed', 1);
    $data = $c->verify($delivery);
    eq($data, ['id' => $id, 'type' => 'payment', 'createdAt' => '2021-01-28T10:00:00.000+03:00', 'status' => 'Failed',
        'transferBatches' => [], 'amount' => 404, 'currency' => 'KES', 'metadata' => [], 'linkSelf' => $result['location'],
        'callbackUrl' => $c->receiver->url('/pay-failed')], 'PaymentData of the Failed callback');
    $raw = json_decode($delivery['body'], true)['data']['attributes'];
    eq($raw['errors'], 'The balance is insufficient for the transaction', 'the failure reason (not read by PaymentData)');
});
