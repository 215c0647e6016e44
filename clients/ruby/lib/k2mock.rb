# frozen_string_literal: true

# k2mock for Ruby tests: starts the k2mock binary (the offline Kopo Kopo K2 Connect sandbox) on a
# free port, or connects to one that runs already, wraps its admin API, makes isolated sandboxes
# on it, and receives and verifies its callbacks. Standard library only.
#
#   k2 = K2Mock.start(scenario: "scenarios/happy-path.yaml", clock: :manual)
#   k2.base_url            # "http://127.0.0.1:PORT/", the form k2-connect-ruby needs
#   k2.advance(10)         # sandbox seconds; callbacks that fall due are sent before it answers
#   k2.callbacks           # [K2Mock::Delivery]
#   k2.stop
require_relative "k2mock/version"
require_relative "k2mock/errors"
require_relative "k2mock/signature"
require_relative "k2mock/binary"
require_relative "k2mock/models"
require_relative "k2mock/snapshot"
require_relative "k2mock/admin_api"
require_relative "k2mock/server_process"
require_relative "k2mock/server"
require_relative "k2mock/sandbox"
require_relative "k2mock/callback_receiver"

module K2Mock
  # Starts `k2mock serve` (see Server.start for the options); with a block, stops it afterwards.
  def self.start(**options, &block)
    Server.start(**options, &block)
  end

  # A k2mock that runs already, at `url` (see Server.connect).
  def self.connect(url, admin_token: nil, timeout: 10)
    Server.connect(url, admin_token: admin_token, timeout: timeout)
  end
end
