# frozen_string_literal: true

# What both of the kit's suites (Minitest and RSpec) ask of a child process.
module K2MockKitProcesses
  # True once `pid` names no live process (gone, or a zombie nobody reaped yet: it has exited).
  def process_gone?(pid)
    Process.kill(0, pid)
    stat = File.read("/proc/#{pid}/stat") rescue nil
    !stat.nil? && stat.split(") ", 2).last.start_with?("Z")
  rescue Errno::ESRCH
    true
  end
end
