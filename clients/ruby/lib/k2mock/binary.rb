# frozen_string_literal: true

require "rbconfig"

module K2Mock
  # The release tarball a user without a build unpacks (`make dist` in a k2mock checkout).
  def self.release_tarball
    arch = RbConfig::CONFIG["host_cpu"].to_s
    arch = "x86_64" if arch.empty? || arch == "amd64"
    arch = "aarch64" if arch == "arm64"
    "dist/k2mock-#{VERSION}-linux-#{arch}.tar.gz"
  end

  # The k2mock executable: `bin`, else $K2MOCK_BIN, else `k2mock` on PATH. Raises
  # BinaryNotFoundError naming K2MOCK_BIN, PATH and the release tarball.
  def self.find_binary(bin = nil)
    from_env = ENV["K2MOCK_BIN"].to_s
    candidate, source =
      if bin
        [bin.to_s, "the bin: argument"]
      elsif !from_env.empty?
        [from_env, "K2MOCK_BIN"]
      else
        [on_path("k2mock"), "PATH"]
      end
    return candidate if candidate && File.file?(candidate) && File.executable?(candidate)

    where = candidate ? "k2mock not found at #{candidate} (from #{source})" : "k2mock not found: K2MOCK_BIN is not set and there is no k2mock on PATH"
    raise BinaryNotFoundError,
          "#{where}. Set K2MOCK_BIN to the k2mock binary or put it on PATH; without a build, take the " \
          "release tarball (`make dist` in a k2mock checkout writes #{release_tarball}; its bin/ has k2mock)."
  end

  def self.on_path(name)
    ENV["PATH"].to_s.split(File::PATH_SEPARATOR).each do |dir|
      next if dir.empty?

      path = File.join(dir, name)
      return path if File.file?(path) && File.executable?(path)
    end
    nil
  end
  private_class_method :on_path
end
