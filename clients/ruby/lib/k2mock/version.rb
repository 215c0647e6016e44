# frozen_string_literal: true

module K2Mock
  # The gem's version: always the k2mock repository's VERSION (the parity suite checks it).
  VERSION = "0.1.0"
end
