<?php
// StkService: initiateIncomingPayment, getStatus, and its result callback (StkData).

declare(strict_types=1);

function stkOptions(Context $c, string $phone, string $callbackPath): array
{
    return ['paymentChannel' => 'M-PESA STK Push', 'tillNumber' => 'K000000', 'firstName' => 'Jane',
        'lastName' => 'Doe', 'phoneNumber' => $phone, 'email' => 'jane@example.com', 'amount' => 3455,
        'currency' => 'KES', 'callbackUrl' => $c->receiver->url($callbackPath),
        'metadata' => ['customerId' => '123456789', 'reference' => '123456', 'notes' => 'Invoice 12345'],
        'accessToken' => $c->token];
}

test('StkService: initiateIncomingPayment, Pending, Success; callback verified and read by StkData', function (Context $c) {
    $stk = $c->K2->StkService();
    $result = $stk->initiateIncomingPayment(stkOptions($c, '+254712345678', '/stk'));
    $id = $c->locationOf($result, 'incoming_payments');
    $location = $result['location'];
    $metadata = ['customerId' => '123456789', 'reference' => '123456', 'notes' => 'Invoice 12345'];

    eq($c->status($stk, $location, 'the STK push'), [
        'id' => $id, 'type' => 'incoming_payment', 'initiationTime' => '2021-01-28T10:00:00.000+03:00',
        'status' => 'Pending', 'eventType' => 'Incoming Payment Request', 'resource' => null, 'errors' => null,
        'metadata' => $metadata, 'linkSelf' => $location, 'callbackUrl' => $c->receiver->url('/stk')],
        'StkData of the Pending push');

    $c->mock->advance(9);
    eq($c->status($stk, $location, 'the STK push')['status'], 'Pending', 'status 9 s in');
    $c->receiver->at('/stk', 0);
    $c->mock->advance(1);

    $final = $c->status($stk, $location, 'the STK push');
    [$delivery] = $c->receiver->at('/stk', 1);
    $result = $c->verify($delivery);
    eq($result, $final, 'the callback reads exactly as the final getStatus');
    has($result, ['id' => $id, 'type' => 'incoming_payment', 'status' => 'Success',
        'eventType' => 'Incoming Payment Request', 'originationTime' => '2021-01-28T10:00:10+03:00',
        'senderPhoneNumber' => '+254712345678', 'amount' => '3455.0', 'currency' => 'KES', 'tillNumber' => 'K000000',
        'system' => 'Lipa Na M-PESA', 'resourceStatus' => 'Received', 'senderFirstName' => 'Jane',
        'senderMiddleName' => null, 'senderLastName' => 'Doe', 'errors' => null, 'metadata' => $metadata,
        'linkSelf' => $location, 'callbackUrl' => $c->receiver->url('/stk')], 'StkData of the Success callback');
    matches('/^' . UUID . '$/', $result['resourceId'], 'resourceId');
    ok($result['resourceId'] !== $id, 'the received transaction has an id of its own');
    matches('/^[A-Z0-9]{10}$/', $result['reference'], 'M-PESA reference');

    // The callback is signed with the api key: an SDK holding another key refuses it.
    eq($c->sdk(['apiKey' => CLIENT_SECRET])->Webhooks()->webhookHandler($delivery['body'], $delivery['signature']),
        ['status' => 'error', 'data' => 'Unauthorized'], 'an SDK configured with the client secret as apiKey');
    // No signature at all.
    eq($c->K2->Webhooks()->webhookHandler($delivery['body'], ''), ['status' => 'error',
        'data' => 'Pass the payload and signature '], 'webhookHandler without a signature');
});

test('StkService: a push the customer cancels ends Failed; callback read by StkData', function (Context $c) {
    $stk = $c->K2->StkService();
    $result = $stk->initiateIncomingPayment(stkOptions($c, '+254700000001', '/stk-failed'));
    $id = $c->locationOf($result, 'incoming_payments');
    eq($c->status($stk, $result['location'], 'the STK push')['status'], 'Pending', 'status at once');
    $c->mock->advance(15);
    [$delivery] = $c->receiver->at('/stk-failed', 1);
    $data = $c->verify($delivery);
    eq($data, [
        'id' => $id, 'type' => 'incoming_payment', 'initiationTime' => '2021-01-28T10:00:00.000+03:00',
        'status' => 'Failed', 'eventType' => 'Incoming Payment Request', 'resource' => null,
        'errors' => 'Request cancelled by user',
        'metadata' => ['customerId' => '123456789', 'reference' => '123456', 'notes' => 'Invoice 12345'],
        'linkSelf' => $result['location'], 'callbackUrl' => $c->receiver->url('/stk-failed')], 'StkData of the Failed callback');
    eq($c->status($stk, $result['location'], 'the STK push'), $data, 'the final getStatus');
});
