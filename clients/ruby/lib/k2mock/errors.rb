# frozen_string_literal: true

module K2Mock
  # Everything the kit raises is a K2Mock::Error.
  class Error < StandardError; end

  # No k2mock binary: K2MOCK_BIN names nothing runnable, or there is none on PATH.
  class BinaryNotFoundError < Error; end

  # `k2mock serve` exited before it listened, or did not listen in time. `status` is its exit
  # status (nil if it was still running), `output` what it wrote on stderr.
  class StartError < Error
    attr_reader :status, :output

    def initialize(message, status: nil, output: "")
      super(message)
      @status = status
      @output = output
    end
  end

  # k2mock refused the scenario. `problems` are its `FILE:LINE:COLUMN: message` lines, verbatim.
  class ScenarioError < StartError
    attr_reader :problems

    def initialize(message, problems:, **rest)
      super(message, **rest)
      @problems = problems
    end
  end

  # Nothing answers at `url` (refused, unknown host, timed out).
  class ConnectionError < Error
    attr_reader :url

    def initialize(message, url:)
      super(message)
      @url = url
    end
  end

  # k2mock answered an error. `status` is the HTTP status, `error_message` K2's `error_message`
  # (for an invalid sandbox scenario it names `scenario_yaml:LINE:COLUMN` and the key).
  class APIError < Error
    attr_reader :http_method, :path, :status, :error_message

    def initialize(message, http_method:, path:, status:, error_message:)
      super(message)
      @http_method = http_method
      @path = path
      @status = status
      @error_message = error_message
    end
  end

  # 400: a bad value, or a sandbox scenario that does not load.
  class BadRequestError < APIError; end

  # 401 from /__admin: the admin token is missing or wrong.
  class AdminTokenError < APIError; end

  # 404: no such sandbox (never made, deleted, ended by its ttl) or delivery.
  class NotFoundError < APIError; end

  # 409: a sandbox of that name (or with one of its scenario's credentials) exists already; or
  # a transcript snapshot of a sandbox that runs a real clock or has no seed (`error_message`
  # says so).
  class ConflictError < APIError; end

  # 429: the server's --max-sandboxes is reached.
  class TooManySandboxesError < APIError; end

  # CallbackReceiver#wait_for: the deliveries did not arrive in time.
  class TimeoutError < Error; end

  # #verify!: an `expect` entry of the scenario does not hold. `verification` has them all.
  class ExpectationError < Error
    attr_reader :verification

    def initialize(verification)
      @verification = verification
      super("k2mock expectations failed:\n" + verification.failures.map { |f| "  #{f.description}" }.join("\n"))
    end
  end

  # AdminAPI#assert_transcript: this run's transcript is not the snapshot file's. `comparison` is
  # the Snapshot::Comparison (`path`, `outcome` :differs or :unreadable, `differences`,
  # `error_message`); the message names the file, lists every difference and says how to accept
  # the new transcript (K2MOCK_UPDATE_SNAPSHOTS=1).
  class TranscriptMismatchError < Error
    attr_reader :comparison

    def initialize(comparison)
      @comparison = comparison
      super(comparison.message)
    end

    def path
      comparison.path
    end

    def differences
      comparison.differences
    end
  end

  # CallbackReceiver#verify_signatures!: a POST whose X-KopoKopo-Signature is wrong.
  class SignatureError < Error; end
end
