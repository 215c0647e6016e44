# frozen_string_literal: true

require_relative "test_helper"

# Ruby warnings about keys fail the suites (support/strict_warnings.rb): proved on a test and a
# spec of their own that make one.
class WarningsTest < KitTest::Test
  DUPLICATE_KEY = 'eval("{ amount: 1, amount: 2 }")'

  def test_a_key_warning_fails_a_minitest_test
    Dir.mktmpdir do |dir|
      file = File.join(dir, "warning_test.rb")
      File.write(file, <<~RUBY)
        require #{File.join(__dir__, 'test_helper').inspect}
        class MakesAWarningTest < KitTest::Test
          def test_duplicate_key
            #{DUPLICATE_KEY}
          end
        end
        exit(Minitest.run(["--seed", "1"]) ? 0 : 1)
      RUBY
      output, status = Open3.capture2e(*ruby_command(file))
      refute status.success?, output
      assert_includes output, "Ruby warnings (about keys, or from the kit's own files):"
      assert_includes output, "key :amount is duplicated and overwritten"
    end
  end

  def test_a_key_warning_fails_an_rspec_example
    Dir.mktmpdir do |dir|
      file = File.join(dir, "warning_spec.rb")
      File.write(file, %(RSpec.describe("a warning") { it("is made") { #{DUPLICATE_KEY} } }\n))
      output, status = Open3.capture2e(RbConfig.ruby, "-w", "-I", File.join(KIT, "lib"), Gem.bin_path("rspec-core", "rspec"),
                                       "--require", File.join(KIT, "spec", "spec_helper.rb"), file)
      refute status.success?, output
      assert_includes output, "1 example, 1 failure"
      assert_includes output, "key :amount is duplicated and overwritten"
    end
  end

  def test_what_counts
    assert StrictWarnings.offence?("x.rb:1: warning: key :a is duplicated and overwritten on line 1")
    assert StrictWarnings.offence?("x.rb:1: warning: Passing the keyword argument as the last hash parameter is deprecated")
    assert StrictWarnings.offence?("#{KIT}/lib/k2mock/server.rb:1: warning: assigned but unused variable - x")
    refute StrictWarnings.offence?("/usr/lib/ruby/x.rb:14: warning: URI.regexp is obsolete")
  end
end
