# frozen_string_literal: true

# ExternalRecipient (add_external_recipient of each type, query_status, query_resource) and
# TransferAccount (add_transfer_account of each type, query_status, query_resource).
class TestRecipientsAndAccounts < K2Suite::TestCase
  BRANCH = "633aa26c-7b7c-4091-ae28-96c0687cf886"

  RECIPIENTS = {
    "mobile_wallet" => [
      { type: "mobile_wallet", first_name: "First", last_name: "Last", email: "test_email@email.com",
        phone_number: "+254712345678", network: "Safaricom", nickname: "Wallet" },
      { recipient_type: "Mobile Wallet", first_name: "First", last_name: "Last", phone_number: "+254712345678",
        network: "Safaricom", email: "test_email@email.com", nickname: "Wallet" },
    ],
    "bank_account" => [
      { type: "bank_account", account_name: "Jane Doe", account_number: "1234567890", bank_branch_ref: BRANCH,
        nickname: "Bank" },
      { recipient_type: "Bank Account", account_name: "Jane Doe", account_number: "1234567890", bank_branch_ref: BRANCH,
        nickname: "Bank" },
    ],
    "till" => [
      { type: "till", till_name: "Corner Shop", till_number: "555555", nickname: "Shop" },
      { recipient_type: "Till", till_name: "Corner Shop", till_number: "555555", nickname: "Shop" },
    ],
    "paybill" => [
      { type: "paybill", paybill_name: "Power Co", paybill_number: "888880", paybill_account_number: "ACC-1",
        nickname: "Power" },
      { recipient_type: "Paybill", paybill_name: "Power Co", paybill_number: "888880", paybill_account_number: "ACC-1",
        nickname: "Power" },
    ],
  }.freeze

  def test_external_recipients_of_every_type
    recipients = K2Entity::ExternalRecipient.new(access_token)
    RECIPIENTS.each do |type, (params, expected)|
      location = recipients.add_external_recipient(params)
      assert_location(location, "external_recipients")
      assert_equal location, recipients.recipients_location_url

      body = recipients.query_status
      assert_same body, recipients.k2_response_body
      assert_equal location.split("/").last, body.dig(:data, :id)
      assert_equal "external_recipient", body.dig(:data, :type), type
      attrs = attributes(body)
      assert_equal "Approved", attrs[:status], type
      expected.each { |key, value| assert_equal value, attrs[key], "#{type}: #{key}" }
      assert_match UUID, attrs[:recipient_reference]
      assert_equal location, attrs.dig(:_links, :self)
      assert_equal body, recipients.query_resource(location)
    end
  end

  def test_the_sdk_refuses_incomplete_recipients
    recipients = K2Entity::ExternalRecipient.new(access_token)
    assert_raises(ArgumentError) { recipients.add_external_recipient(type: "card") }
    assert_raises(ArgumentError) { recipients.add_external_recipient(RECIPIENTS["till"][0].except(:till_number)) }
    assert_raises(ArgumentError) { recipients.add_external_recipient(RECIPIENTS["mobile_wallet"][0].merge(email: "not-an-email")) }
  end

  def test_transfer_accounts_of_both_types
    accounts = K2Entity::TransferAccount.new(access_token)

    wallet = accounts.add_transfer_account(
      type: "merchant_wallet", first_name: "First", last_name: "Last", email: "email@email.com",
      phone_number: "+254712345678", network: "Safaricom", nickname: "My phone",
    )
    assert_location(wallet, "merchant_wallets")
    assert_equal wallet, accounts.transfer_account_location_url
    body = accounts.query_status
    assert_equal "merchant_wallet", body.dig(:data, :type)
    attrs = attributes(body)
    { status: "Approved", first_name: "First", last_name: "Last", phone_number: "+254712345678",
      network: "Safaricom", nickname: "My phone" }.each { |key, value| assert_equal value, attrs[key], key }
    assert_match UUID, attrs[:account_reference]

    bank = accounts.add_transfer_account(
      type: "merchant_bank_account", account_name: "Jane Merchant", account_number: "1234567890",
      bank_branch_ref: BRANCH, settlement_method: "EFT", nickname: "My bank",
    )
    assert_location(bank, "merchant_bank_accounts")
    body = accounts.query_status
    assert_equal "merchant_bank_account", body.dig(:data, :type)
    attrs = attributes(body)
    { status: "Approved", account_name: "Jane Merchant", account_number: "1234567890", bank_branch_ref: BRANCH,
      settlement_method: "EFT", nickname: "My bank" }.each { |key, value| assert_equal value, attrs[key], key }
    assert_match UUID, attrs[:account_reference]

    # query_resource reads any earlier one.
    assert_equal "merchant_wallet", accounts.query_resource(wallet).dig(:data, :type)
  end

  def test_the_sdk_refuses_incomplete_transfer_accounts
    accounts = K2Entity::TransferAccount.new(access_token)
    assert_raises(ArgumentError) { accounts.add_transfer_account(type: "card") }
    error = assert_raises(ArgumentError) do
      accounts.add_transfer_account(type: "merchant_bank_account", account_name: "A", account_number: "1",
                                    bank_branch_ref: BRANCH, settlement_method: "CASH")
    end
    assert_match(/Settlement method is invalid/, error.message)
  end
end
