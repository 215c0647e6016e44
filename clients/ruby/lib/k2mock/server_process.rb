# frozen_string_literal: true

require "io/nonblock"
require "io/wait"

module K2Mock
  # `k2mock serve` as a child process that never outlives the Ruby process that started it.
  #
  # The child is started through /bin/sh, which forks a watcher and then execs k2mock (so k2mock
  # keeps the pid spawn gave, and stays this process's child). The watcher holds the read end of
  # a pipe whose only write end is kept here. When this process ends in any way (a clean exit,
  # an exception, SIGKILL), the kernel closes that end, the watcher reads end-of-file and sends
  # k2mock SIGTERM, then SIGKILL if it still runs 10 s later. It signals only while k2mock is its
  # parent (so never a pid used again by another process), and ignores the signals a terminal
  # or a CI runner sends the whole process group. #stop sends SIGTERM itself, reaps k2mock, then
  # writes a line to the pipe, which tells the watcher to exit without signalling anything.
  class ServerProcess
    WATCHDOG = <<~'SH'
      k2mock_pid=$$
      (
        trap '' INT HUP QUIT TERM
        exec </dev/null >/dev/null 2>&1
        if IFS= read -r _ <&3; then exit 0; fi
        owned() {
          ppid=
          read -r _ _ _ ppid _ 2>/dev/null </proc/self/stat
          if [ -n "$ppid" ]; then [ "$ppid" = "$k2mock_pid" ]; else kill -0 "$k2mock_pid" 2>/dev/null; fi
        }
        owned || exit 0
        kill -TERM "$k2mock_pid" 2>/dev/null
        i=0
        while [ "$i" -lt 10 ] && owned; do sleep 1; i=$((i + 1)); done
        if owned; then kill -KILL "$k2mock_pid" 2>/dev/null; fi
      ) &
      exec "$@" 3<&-
    SH
    LISTENING = "k2mock listening on "
    LOG_LINES = 1000
    PROBLEM = /\A.+:\d+:\d+: /.freeze

    @lock = Mutex.new
    @live = []
    class << self
      # Every process started here and not yet stopped; at exit each is stopped (SIGTERM, reaped).
      def track(process)
        @lock.synchronize do
          unless @at_exit
            at_exit { K2Mock::ServerProcess.stop_all }
            @at_exit = true
          end
          @live << process
        end
      end

      def untrack(process)
        @lock.synchronize { @live.delete(process) }
      end

      def stop_all
        @lock.synchronize { @live.dup }.each do |process|
          process.stop if process.owner?
        rescue StandardError
          nil
        end
      end
    end

    attr_reader :pid, :command

    # Starts `command` and waits up to `timeout` s for its "k2mock listening on URL" line;
    # answers the URL via #origin. Raises StartError / ScenarioError when it does not listen.
    def initialize(command, timeout:)
      @command = command
      @log = []
      @log_lock = Mutex.new
      @stop_lock = Mutex.new
      @owner = Process.pid
      @status = nil
      watch_read, @watch = IO.pipe
      out_read, out_write = IO.pipe
      err_read, err_write = IO.pipe
      # Ruby makes its pipes non-blocking; the child's ends must block (the shell's `read` takes
      # EAGAIN for end-of-file).
      [watch_read, out_write, err_write].each { |io| io.nonblock = false }
      @pid = Process.spawn("/bin/sh", "-c", WATCHDOG, "k2mock", *command,
                           in: File::NULL, out: out_write, err: err_write, 3 => watch_read)
      [watch_read, out_write, err_write].each(&:close)
      @stderr = drain(err_read)
      @origin = wait_for_listening(out_read, timeout)
      @stdout = drain(out_read)
      self.class.track(self)
    end

    attr_reader :origin

    # k2mock's stderr (and any stray stdout), its last 1000 lines.
    def log
      @log_lock.synchronize { @log.dup }
    end

    def owner?
      Process.pid == @owner
    end

    # Its Process::Status once it has exited and been reaped, else nil.
    def status
      @stop_lock.synchronize { @status || reap(Process::WNOHANG) }
    end

    def running?
      status.nil?
    end

    # SIGTERM, then waits up to `timeout` s (k2mock gives callbacks under way 1 s and requests in
    # flight up to 5 s), then SIGKILL. Answers the Process::Status.
    def stop(timeout: 10)
      @stop_lock.synchronize do
        return @status if @status || reap(Process::WNOHANG)

        signal(:TERM)
        waiter = Thread.new { Process.wait2(@pid)[1] }
        waiter.report_on_exception = false
        status = waiter.join(timeout) ? waiter.value : nil
        unless status
          signal(:KILL)
          status = waiter.value
        end
        finish(status)
      end
    rescue Errno::ECHILD # reaped by someone else (Process.waitall, say): gone all the same
      finish(nil)
    end

    private

    def signal(name)
      Process.kill(name, @pid)
    rescue Errno::ESRCH
      nil
    end

    def reap(flags)
      pid, status = Process.wait2(@pid, flags)
      pid ? finish(status) : nil
    rescue Errno::ECHILD
      finish(nil)
    end

    # Reaped: tell the watcher to stand down, let the readers finish.
    def finish(status)
      @status = status || @status
      unless @watch.closed?
        begin
          @watch.write("stopped\n")
        rescue IOError, SystemCallError
          nil
        end
        @watch.close
      end
      [@stderr, @stdout].compact.each { |thread| thread.join(2) }
      self.class.untrack(self)
      @status
    end

    def remember(line)
      @log_lock.synchronize do
        @log << line.chomp
        @log.shift while @log.size > LOG_LINES
      end
    end

    def drain(io)
      thread = Thread.new do
        io.each_line { |line| remember(line.dup.force_encoding(Encoding::UTF_8).scrub) }
      rescue IOError, SystemCallError
        nil
      ensure
        io.close unless io.closed?
      end
      thread.report_on_exception = false
      thread
    end

    def wait_for_listening(out, timeout)
      deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + timeout
      buffer = +""
      loop do
        while (newline = buffer.index("\n"))
          line = buffer.slice!(0..newline).chomp
          return line.delete_prefix(LISTENING).strip if line.start_with?(LISTENING)

          remember(line)
        end
        left = deadline - Process.clock_gettime(Process::CLOCK_MONOTONIC)
        failed_to_start(out, "did not listen within #{timeout} s") if left <= 0
        next unless out.wait_readable(left)

        chunk = out.read_nonblock(4096, exception: false)
        next if chunk == :wait_readable

        failed_to_start(out, nil) if chunk.nil?
        buffer << chunk
      end
    end

    def failed_to_start(out, reason)
      out.close
      if reason
        signal(:KILL)
        Process.wait2(@pid)
      else
        @status = Process.wait2(@pid)[1]
      end
      @watch.close
      @stderr.join(2)
      output = log.join("\n")
      code = @status&.exitstatus
      problems = log.grep(PROBLEM)
      if reason
        raise StartError.new("k2mock #{reason} (#{@command.join(' ')}):\n#{output}", output: output)
      elsif code == 1 && !problems.empty?
        raise ScenarioError.new("k2mock refused the scenario:\n#{problems.join("\n")}", problems: problems,
                                                                                           status: code, output: output)
      else
        raise StartError.new("k2mock exited with status #{code.inspect} before it listened " \
                             "(#{@command.join(' ')}):\n#{output}", status: code, output: output)
      end
    end
  end
end
