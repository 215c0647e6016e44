# frozen_string_literal: true

require "uri"

module K2Mock
  # One sandbox on a k2mock server (Server#sandbox): the same admin calls, scoped to it
  # (/__admin/sandboxes/ID/...). The app under test needs only #base_url (the server's) and the
  # sandbox's #credentials: k2mock finds the sandbox by its client id and tokens.
  class Sandbox
    include AdminAPI

    attr_reader :server, :id, :name, :scenario, :seed, :ttl, :credentials, :tokens, :admin_url, :info

    def initialize(server, entry)
      @server = server
      @id = entry.fetch("id")
      @name = entry["name"] || @id
      @scenario = entry["scenario"]
      @seed = entry["seed"]
      @ttl = entry["ttl"]
      # [{"client_id" => ..., "client_secret" => ..., "api_key" => ...}]
      @credentials = (entry["credentials"] || []).map { |c| c.dup.freeze }.freeze
      # [{"value" => ..., "client_id" => ...}]: the scenario's pre-issued tokens, suffixed
      @tokens = (entry["tokens"] || []).map { |t| t.dup.freeze }.freeze
      @admin_url = entry["admin"]
      @info = entry.freeze
      @deleted = false
    end

    def origin
      server.origin
    end

    # The server's admin token.
    def admin_token
      server.admin_token
    end

    def admin_root
      "/__admin/sandboxes/#{URI.encode_www_form_component(id)}"
    end

    # The first credential's client id (nil if the scenario has no credentials).
    def client_id
      credentials.first&.fetch("client_id")
    end

    def client_secret
      credentials.first&.fetch("client_secret")
    end

    # The first credential's api key: it signs this sandbox's callbacks.
    def api_key
      credentials.first&.fetch("api_key")
    end

    # The first pre-issued token (nil if the scenario issues none).
    def token
      tokens.first&.fetch("value")
    end

    # An access token from POST /oauth/token, with the first credential by default.
    def access_token(client_id: self.client_id, client_secret: self.client_secret)
      super
    end

    # Ends it: its pending deliveries are dropped, its tokens answer 401 from then on. Answers
    # {"id", "deleted", "dropped_deliveries"}; raises NotFoundError if the server has no such
    # sandbox (deleted already, or ended by its ttl).
    def delete
      answer = server.admin_request("DELETE", "/sandboxes/#{URI.encode_www_form_component(id)}")
      @deleted = true
      answer
    end

    def deleted?
      @deleted
    end

    # Deletes it unless that was done; never raises for one that is gone already. While an
    # exception is on its way out (Server#sandbox's block), a failing delete does not hide it.
    def close
      return if @deleted

      in_flight = $!
      delete
    rescue NotFoundError
      @deleted = true
    rescue Error
      raise unless in_flight
    end

    def inspect
      "#<K2Mock::Sandbox #{id} on #{origin}#{@deleted ? ' (deleted)' : ''}>"
    end
    alias to_s inspect
  end
end
