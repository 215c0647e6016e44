# frozen_string_literal: true

require "fileutils"

module K2Mock
  # Snapshots of a sandbox's whole conversation (GET /__admin/transcript): AdminAPI#compare_transcript
  # and #assert_transcript, and the Minitest and RSpec helpers, all go through Snapshot.compare.
  #
  # - A relative path resolves against the current directory (Dir.pwd) when the comparison runs.
  # - The file missing, or K2MOCK_UPDATE_SNAPSHOTS=1: this run's transcript is written there
  #   (parent directories made) and the comparison passes.
  # - Else it passes when the file's bytes are the transcript's; otherwise k2mock says how they
  #   differ (POST /__admin/transcript/diff) and it fails, naming the file and every difference.
  module Snapshot
    UPDATE_VARIABLE = "K2MOCK_UPDATE_SNAPSHOTS"
    ADVICE = "To accept this run's transcript as the snapshot, run the test again with #{UPDATE_VARIABLE}=1."

    # What a comparison found. `outcome`: :written (the file was missing), :updated (rewritten
    # in update mode), :matched, :differs (`differences`: k2mock's, one line each) or :unreadable
    # (`error_message`: k2mock's, the file is not a transcript). `path` is absolute; `transcript`
    # this run's text. `message` says it all for a failure (nil when it passed).
    Comparison = Struct.new(:path, :outcome, :transcript, :differences, :error_message, keyword_init: true) do
      def passed?
        %i[written updated matched].include?(outcome)
      end

      def message
        case outcome
        when :differs
          if differences.empty?
            "k2mock transcript differs from the snapshot #{path} in its bytes only: k2mock's diff finds no " \
              "difference entry by entry (line endings? whitespace?)\n#{ADVICE}"
          else
            "k2mock transcript differs from the snapshot #{path} " \
              "(#{differences.size} difference#{differences.size == 1 ? '' : 's'}):\n" \
              "#{differences.map { |line| "  #{line}" }.join("\n")}\n#{ADVICE}"
          end
        when :unreadable
          "k2mock cannot read the snapshot #{path} as a transcript: #{error_message}\n#{ADVICE}"
        end
      end
    end

    class << self
      # True when K2MOCK_UPDATE_SNAPSHOTS is set to anything but "", "0", "false" or "no".
      def update?
        value = ENV[UPDATE_VARIABLE].to_s.strip.downcase
        !["", "0", "false", "no"].include?(value)
      end

      # Where `path` is read and written: relative to the current directory.
      def resolve(path)
        File.expand_path(path.to_s)
      end

      # Compares `target`'s (a Server or Sandbox) transcript with the snapshot at `path`; answers
      # a Comparison. Raises ConflictError (k2mock's 409: the sandbox runs a real clock or has no seed) and the
      # kit's other errors for k2mock's refusals.
      def compare(target, path)
        path = resolve(path)
        text = target.transcript(snapshot: true)
        exists = File.file?(path)
        if !exists || update?
          expected = exists ? File.binread(path) : nil
          write(path, text) unless expected == text.b
          outcome = !exists ? :written : expected == text.b ? :matched : :updated
          return Comparison.new(path: path, outcome: outcome, transcript: text, differences: [])
        end

        expected = File.binread(path)
        return Comparison.new(path: path, outcome: :matched, transcript: text, differences: []) if expected == text.b

        begin
          diff = target.diff_transcripts(expected.force_encoding(Encoding::UTF_8).scrub, text)
          Comparison.new(path: path, outcome: :differs, transcript: text, differences: diff.fetch("differences", []))
        rescue BadRequestError => e
          Comparison.new(path: path, outcome: :unreadable, transcript: text, differences: [], error_message: e.error_message)
        end
      end

      private

      # Writes through a file beside it and a rename, so a reader never sees half of one.
      def write(path, text)
        FileUtils.mkdir_p(File.dirname(path))
        partial = "#{path}.#{Process.pid}.#{Thread.current.object_id}.tmp"
        File.binwrite(partial, text.b)
        File.rename(partial, path)
      ensure
        FileUtils.rm_f(partial) if partial && File.exist?(partial)
      end
    end
  end
end
