# frozen_string_literal: true

require_relative "test_helper"
require "pathname"

# Transcripts and snapshots beyond the parity case: the server's own transcript and the admin
# token, an unreadable snapshot, relative paths, the update switch, a difference in bytes only.
# Manual clocks throughout.
class TranscriptTest < KitTest::Test
  def server
    @@server ||= K2Mock.start(clock: :manual, admin_token: "t0ken")
  end

  def setup
    server.reset
    server.sandboxes.each(&:delete)
    @dir = Dir.mktmpdir("k2mock-transcripts")
    (@temporary_dirs ||= []) << @dir
  end

  Minitest.after_run { @@server&.stop if defined?(@@server) }

  # A sandbox with one STK push of `value` KES, called back to nowhere, and 10 s advanced.
  def paid_sandbox(value = 1500, name: "paid")
    sandbox = server.sandbox(name: name, scenario: HAPPY, clock: :manual, seed: 11)
    answer = server.request("POST", "/api/v2/incoming_payments", stk_push("http://127.0.0.1:9/x", value: value.to_s),
                            token: sandbox.token)
    assert_equal 201, answer.status
    sandbox.advance(10)
    sandbox
  end

  def test_transcript_of_the_server_and_of_a_sandbox_with_the_admin_token
    own = server.transcript
    assert_equal Encoding::UTF_8, own.encoding
    assert_includes own, "format: k2mock-transcript/1"
    assert_includes own, "entries: 0"

    sandbox = paid_sandbox
    text = sandbox.transcript
    assert_includes text, 'sandbox: "paid"'
    assert_includes text, "kind: callback"
    assert_equal text, sandbox.transcript(snapshot: true), "a manual clock: the same text"
    refute_includes server.transcript, "kind: callback", "the server's own sandbox saw none of it"

    server.admin_token = "wrong"
    assert_raises(K2Mock::AdminTokenError) { sandbox.transcript }
    assert_raises(K2Mock::AdminTokenError) { server.transcript }
  ensure
    server.admin_token = "t0ken"
  end

  def test_diff_transcripts_answers_k2mock_s_differences
    a = paid_sandbox(1500, name: "a").transcript
    b = paid_sandbox(1500, name: "a2").transcript
    diff = server.diff_transcripts(a, a)
    assert_equal({ "equal" => true, "differences" => [] }, diff)
    diff = server.sandboxes.first.diff_transcripts(a, b)
    assert_equal false, diff["equal"]
    assert(diff["differences"].any? { |d| d.include?('"a" → "a2"') }, diff.inspect)
    error = assert_raises(K2Mock::BadRequestError) { server.diff_transcripts("a: [\n", b) }
    assert_match(/\Aexpected:\d+: not YAML/, error.error_message)
  end

  def test_an_unreadable_snapshot_fails_naming_the_file_and_k2mock_s_message
    path = File.join(@dir, "old-format.yaml")
    File.write(path, "# hand-edited\nformat: k2mock-transcript/1\nentries: [\n")
    sandbox = paid_sandbox
    error = assert_raises(K2Mock::TranscriptMismatchError) { sandbox.assert_transcript(path) }
    assert_equal :unreadable, error.comparison.outcome
    assert_match(/\Aexpected:\d+: not YAML: /, error.comparison.error_message)
    assert_equal "k2mock cannot read the snapshot #{path} as a transcript: #{error.comparison.error_message}\n" \
                 "To accept this run's transcript as the snapshot, run the test again with K2MOCK_UPDATE_SNAPSHOTS=1.",
                 error.message
    assert_equal "# hand-edited\nformat: k2mock-transcript/1\nentries: [\n", File.read(path), "left as it was"

    File.write(path, "just: a mapping\n")
    error = assert_raises(K2Mock::TranscriptMismatchError) { sandbox.assert_transcript(path) }
    assert_includes error.message, "k2mock cannot read the snapshot #{path} as a transcript: expected:1: "
    File.binwrite(path, "\xFF\xFE not UTF-8\n".b)
    error = assert_raises(K2Mock::TranscriptMismatchError) { sandbox.assert_transcript(path) }
    assert_equal :unreadable, error.comparison.outcome
  end

  def test_a_relative_path_resolves_against_the_current_directory
    sandbox = paid_sandbox
    comparison = Dir.chdir(@dir) { sandbox.assert_transcript("snapshots/paid.yaml") }
    expected = File.join(File.realpath(@dir), "snapshots", "paid.yaml")
    assert_equal expected, comparison.path
    assert_equal :written, comparison.outcome
    assert_equal sandbox.transcript, File.read(expected)
    assert_equal expected, Dir.chdir(@dir) { K2Mock::Snapshot.resolve("snapshots/paid.yaml") }
    assert_equal :matched, Dir.chdir(File.join(@dir, "snapshots")) { sandbox.assert_transcript("paid.yaml") }.outcome
    assert_equal :matched, sandbox.assert_transcript(Pathname(expected)).outcome, "a Pathname too"
    refute File.exist?(File.join(KIT, "snapshots")), "nothing written where the suite runs"
  end

  def test_update_mode_rewrites_only_when_switched_on_and_only_a_changed_file
    path = File.join(@dir, "deep", "er", "paid.yaml")
    first = paid_sandbox(1500)
    with_env("K2MOCK_UPDATE_SNAPSHOTS" => "1") do
      assert_equal :written, first.assert_transcript(path).outcome, "missing: written in update mode too"
      before = File.mtime(path)
      File.utime(before - 60, before - 60, path)
      assert_equal :matched, first.assert_transcript(path).outcome
      assert_equal before - 60, File.mtime(path), "the same bytes: not rewritten"
    end
    first.delete
    second = paid_sandbox(2500)
    %w[0 false no].push("").each do |off|
      with_env("K2MOCK_UPDATE_SNAPSHOTS" => off) do
        comparison = second.compare_transcript(path)
        refute comparison.passed?, "K2MOCK_UPDATE_SNAPSHOTS=#{off.inspect} is off"
        assert_equal :differs, comparison.outcome
        assert_includes File.read(path), '"1500"'
      end
    end
    with_env("K2MOCK_UPDATE_SNAPSHOTS" => "true") do
      assert_equal :updated, second.assert_transcript(path).outcome
    end
    assert_equal second.transcript, File.read(path)
    assert_empty Dir.children(File.dirname(path)) - ["paid.yaml"], "no partial file left beside it"
  end

  def test_bytes_that_differ_only_where_k2mock_s_diff_does_not_look_still_fail
    path = File.join(@dir, "crlf.yaml")
    sandbox = paid_sandbox
    File.binwrite(path, sandbox.transcript.gsub("\n", "\r\n"))
    error = assert_raises(K2Mock::TranscriptMismatchError) { sandbox.assert_transcript(path) }
    assert_equal [:differs, []], [error.comparison.outcome, error.differences]
    assert_includes error.message, "differs from the snapshot #{path} in its bytes only"
    assert_includes error.message, "K2MOCK_UPDATE_SNAPSHOTS=1"
  end

  def test_a_real_clock_is_refused_before_anything_is_written
    path = File.join(@dir, "real.yaml")
    server.sandbox(name: "real", clock: :real) do |sandbox|
      assert_includes sandbox.transcript, 'sandbox: "real"', "a plain transcript is fine"
      with_env("K2MOCK_UPDATE_SNAPSHOTS" => "1") do
        error = assert_raises(K2Mock::ConflictError) { sandbox.compare_transcript(path) }
        assert_includes error.message, "This sandbox runs a real clock"
      end
    end
    refute File.exist?(path)
  end
end
