<?php
// SettlementTransferService: createMerchantBankAccount, createMerchantWallet, settleFunds
// (to each, and blind), getStatus, and the transfer callbacks (MerchantBankAccountData,
// MerchantWalletData, SettlementTransferResultData).

declare(strict_types=1);

/** Creates one merchant bank account and one merchant wallet; returns their status data. */
function merchantAccounts(Context $c): array
{
    $transfers = $c->K2->SettlementTransferService();
    $bank = $transfers->createMerchantBankAccount(['accountName' => 'Jane Merchant', 'accountNumber' => '1234567890',
        'bankBranchRef' => '9ed38155-7d6f-11e3-83c3-5404a6144203', 'settlementMethod' => 'RTS', 'accessToken' => $c->token]);
    $bankId = $c->locationOf($bank, 'merchant_bank_accounts');
    $wallet = $transfers->createMerchantWallet(['firstName' => 'Jane', 'lastName' => 'Merchant',
        'phoneNumber' => '+254711222333', 'network' => 'Safaricom', 'accessToken' => $c->token]);
    $walletId = $c->locationOf($wallet, 'merchant_wallets');
    $bankData = $c->status($transfers, $bank['location'], 'the merchant bank account');
    $walletData = $c->status($transfers, $wallet['location'], 'the merchant wallet');
    return [$bankId, $bankData, $walletId, $walletData];
}

test('SettlementTransferService: createMerchantBankAccount and createMerchantWallet, read back', function (Context $c) {
    [$bankId, $bank, $walletId, $wallet] = merchantAccounts($c);
    eq(array_keys($bank), ['id', 'type', 'accountNumber', 'accountName', 'bankBranchRef', 'settlementMethod', 'status',
        'accountReference'], 'MerchantBankAccountData keys');
    has($bank, ['id' => $bankId, 'type' => 'merchant_bank_account', 'accountNumber' => '1234567890',
        'accountName' => 'Jane Merchant', 'bankBranchRef' => '9ed38155-7d6f-11e3-83c3-5404a6144203',
        'settlementMethod' => 'RTS', 'status' => 'Approved'], 'MerchantBankAccountData');
    matches('/^' . UUID . '$/', $bank['accountReference'], 'bank accountReference');
    eq(array_keys($wallet), ['id', 'type', 'phoneNumber', 'network', 'firstName', 'lastName', 'status',
        'accountReference'], 'MerchantWalletData keys');
    has($wallet, ['id' => $walletId, 'type' => 'merchant_wallet', 'phoneNumber' => '+254711222333',
        'network' => 'Safaricom', 'firstName' => 'Jane', 'lastName' => 'Merchant', 'status' => 'Approved'],
        'MerchantWalletData');
    matches('/^' . UUID . '$/', $wallet['accountReference'], 'wallet accountReference');
});

test('SettlementTransferService: settleFunds to a bank account, to a wallet, and blind; callbacks', function (Context $c) {
    $transfers = $c->K2->SettlementTransferService();
    [, $bank, , $wallet] = merchantAccounts($c);
    $requests = [
        'bank' => ['destinationType' => 'merchant_bank_account', 'destinationReference' => $bank['accountReference'],
            'amount' => 5000, 'currency' => 'KES'],
        'wallet' => ['destinationType' => 'merchant_wallet', 'destinationReference' => $wallet['accountReference'],
            'amount' => '2500', 'currency' => 'KES'],
        'blind' => [],   // no destination, no amount: "the whole balance will be settled"
    ];
    $created = [];
    foreach ($requests as $name => $options) {
        $result = $transfers->settleFunds($options + ['callbackUrl' => $c->receiver->url("/settle-$name"),
                'accessToken' => $c->token]);
        $created[$name] = ['id' => $c->locationOf($result, 'settlement_transfers'), 'location' => $result['location']];
    }
    $amounts = ['bank' => 5000, 'wallet' => 2500, 'blind' => null];
    foreach ($created as $name => $transfer) {
        eq($c->status($transfers, $transfer['location'], "the $name transfer"), [
            'id' => $transfer['id'], 'type' => 'settlement_transfer', 'createdAt' => '2021-01-28T10:00:00.000+03:00',
            'status' => 'Pending', 'amount' => $amounts[$name], 'currency' => 'KES', 'transferBatches' => [],
            'linkSelf' => $transfer['location'], 'callbackUrl' => $c->receiver->url("/settle-$name")],
            "SettlementTransferResultData of the Pending $name transfer");
    }
    $c->mock->advance(5);
    eq($c->status($transfers, $created['bank']['location'], 'the bank transfer')['status'], 'Processed', 'status after 5 s');
    $c->mock->advance(25);

    $destinations = ['bank' => ['Bank Account', $bank['accountReference'], '5000.0'],
        'wallet' => ['Mobile Wallet', $wallet['accountReference'], '2500.0']];
    foreach ($created as $name => $transfer) {
        [$delivery] = $c->receiver->at("/settle-$name", 1);
        $data = $c->verify($delivery);
        eq($data, $c->status($transfers, $transfer['location'], "the $name transfer"),
            "the $name callback reads exactly as the final getStatus");
        has($data, ['id' => $transfer['id'], 'type' => 'settlement_transfer', 'status' => 'Processed',
            'amount' => $amounts[$name], 'currency' => 'KES', 'linkSelf' => $transfer['location'],
            'callbackUrl' => $c->receiver->url("/settle-$name")], "SettlementTransferResultData of the $name callback");
        if ($name === 'blind') {
            // A blind transfer settles "the whole balance" to the merchant's own accounts; k2mock
            // keeps no balances, so only the shape is checked: batches and disbursements Transferred.
            ok(count($data['transferBatches']) >= 1, 'the blind transfer has transfer batches');
            foreach ($data['transferBatches'] as $batch) {
                eq($batch['status'], 'Transferred', 'blind batch status');
                foreach ($batch['disbursements'] as $disbursement) {
                    eq($disbursement['status'], 'Transferred', 'blind disbursement status');
                    matches('/^[A-Z0-9]{10}$/', $disbursement['transaction_reference'], 'blind transaction_reference');
                }
            }
            continue;
        }
        eq(count($data['transferBatches']), 1, "$name: one batch");
        eq($data['transferBatches'][0]['status'], 'Transferred', "$name batch status");
        [$disbursement] = $data['transferBatches'][0]['disbursements'];
        [$type, $reference, $amount] = $destinations[$name];
        has($disbursement, ['amount' => $amount, 'status' => 'Transferred', 'destination_type' => $type,
            'destination_reference' => $reference], "the $name disbursement");
    }
});

test('SettlementTransferService: a transfer over the balance ends Failed; callback', function (Context $c) {
    $transfers = $c->K2->SettlementTransferService();
    [, $bank] = merchantAccounts($c);
    $result = $transfers->settleFunds(['destinationType' => 'merchant_bank_account',
        'destinationReference' => $bank['accountReference'], 'amount' => 404, 'currency' => 'KES',
        'callbackUrl' => $c->receiver->url('/settle-failed'), 'accessToken' => $c->token]);
    $id = $c->locationOf($result, 'settlement_transfers');
    $c->mock->advance(10);
    [$delivery] = $c->receiver->at('/settle-failed', 1);
    has($c->verify($delivery), ['id' => $id, 'status' => 'Failed', 'amount' => 404, 'transferBatches' => []],
        'SettlementTransferResultData of the Failed callback');
});
