# fish completion for gunyahctl(1)
# SPDX-License-Identifier: GPL-2.0-only
# The command list and the exit type names come from the gunyahctl being
# completed; options are listed here, per command.

function __gunyahctl_bin
    set -l tokens (commandline -opc)
    echo $tokens[1]
end

function __gunyahctl_commands
    set -l bin (__gunyahctl_bin)
    $bin --help 2>/dev/null | awk '
        /^Commands:/ { c = 1; next }
        c && !NF { exit }
        c { name = $1; $1 = ""; sub(/^ +/, ""); print name "\t" $0 }'
end

function __gunyahctl_exit_types
    set -l bin (__gunyahctl_bin)
    $bin explain --list 2>/dev/null | awk '
        /^exit types/ { t = 1; next }
        /^exit codes/ { t = 0 }
        t { name = $2; $1 = ""; $2 = ""; sub(/^ +/, ""); print name "\t" $0 }'
end

function __gunyahctl_checks
    set -l bin (__gunyahctl_bin)
    $bin diag --list 2>/dev/null | awk '{ name = $1; $1 = ""; sub(/^ +/, ""); print name "\t" $0 }'
end

function __gunyahctl_vms
    set -l bin (__gunyahctl_bin)
    $bin list 2>/dev/null | awk 'NR > 1 { print $1 }'
end

# True while the command line has CMD and no positional argument after it.
function __gunyahctl_first_arg_of
    set -l tokens (commandline -opc)
    set -l seen 0
    for t in $tokens[2..-1]
        if test $seen -eq 1
            string match -q -- '-*' $t; or return 1
        else if test "$t" = $argv[1]
            set seen 1
        else if not string match -q -- '-*' $t
            return 1
        end
    end
    test $seen -eq 1
end

complete -c gunyahctl -f

# gunyahctl's own options and the commands
complete -c gunyahctl -n __fish_use_subcommand -s '?' -l help -d 'Print a help message listing the commands'
complete -c gunyahctl -n __fish_use_subcommand -l usage -d 'Print a short usage message and exit'
complete -c gunyahctl -n __fish_use_subcommand -s V -l version -d 'Print the version and exit'
complete -c gunyahctl -n __fish_use_subcommand -a '(__gunyahctl_commands)'

# every command takes these (argp adds them)
complete -c gunyahctl -n 'not __fish_use_subcommand' -s '?' -l help -d 'Print a help message and exit'
complete -c gunyahctl -n 'not __fish_use_subcommand' -l usage -d 'Print a short usage message and exit'
complete -c gunyahctl -n 'not __fish_use_subcommand' -s V -l version -d 'Print the version and exit'

# info
complete -c gunyahctl -n '__fish_seen_subcommand_from info' -s j -l json -d 'Print one JSON object'
complete -c gunyahctl -n '__fish_seen_subcommand_from info' -s b -l backend -x -a 'sim dev' -d 'Backend to ask'
complete -c gunyahctl -n '__fish_seen_subcommand_from info' -l abi -x -a 'upstream android' -d 'ABI flavour to speak'

# probe
complete -c gunyahctl -n '__fish_seen_subcommand_from probe' -s j -l json -d 'Print one JSON object'

# explain
complete -c gunyahctl -n '__fish_seen_subcommand_from explain' -s j -l json -d 'Print one JSON object'
complete -c gunyahctl -n '__fish_seen_subcommand_from explain' -s l -l list -d 'List every exit type and exit code'
complete -c gunyahctl -n '__gunyahctl_first_arg_of explain' -a '(__gunyahctl_exit_types)'

# diag [NAME...]
complete -c gunyahctl -n '__fish_seen_subcommand_from diag' -s b -l backend -x -a 'sim dev' -d 'Backend to check'
complete -c gunyahctl -n '__fish_seen_subcommand_from diag' -l abi -x -a 'upstream android' -d 'ABI flavour to speak'
complete -c gunyahctl -n '__fish_seen_subcommand_from diag' -s j -l json -d 'One JSON object per check, then a summary'
complete -c gunyahctl -n '__fish_seen_subcommand_from diag' -s l -l list -d 'List the checks and exit'
complete -c gunyahctl -n '__fish_seen_subcommand_from diag' -s o -l only -x -a '(__gunyahctl_checks)' -d 'Run only the named checks'
complete -c gunyahctl -n '__fish_seen_subcommand_from diag' -s n -l vcpus -x -d 'vCPUs of the SMP checks'
complete -c gunyahctl -n '__fish_seen_subcommand_from diag' -s t -l timeout -x -d 'Fail a check still running after SEC seconds'
complete -c gunyahctl -n '__fish_seen_subcommand_from diag' -a '(__gunyahctl_checks)'

# run IMAGE
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -F
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -s m -l mem -x -d 'Guest RAM size (K, M, G suffixes)'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -l ram-base -x -d 'Guest RAM base address'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -s c -l vcpus -x -d 'Number of vCPUs (1 to 64)'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -s b -l backend -x -a 'sim dev' -d 'Backend to run on'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -l abi -x -a 'upstream android' -d 'ABI flavour to speak'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -l load-addr -x -d 'Where a raw image goes'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -s e -l entry -x -d 'Start vCPU 0 here'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -l no-dtb -d 'Give the image no device tree (x0 = 0)'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -l mmio -x -d 'An MMIO region: ADDR:SIZE[:NAME]'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -l uart -x -d 'A PL011 UART at this address'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -l kernel -r -F -d 'Boot this arm64 Linux Image'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -l initrd -r -F -d 'With --kernel: an initramfs'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -l cmdline -x -d 'With --kernel: the kernel command line'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -l dtb -r -F -d 'With --kernel: boot with this device tree'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -l dump-dtb -r -F -d 'With --kernel: write the device tree and exit'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -l uart-input -r -F -d 'With --kernel: feed this file to the UART'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -l mmio-read -x -d 'Reads at ADDR return: ADDR=VALUE[,VALUE...]'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -l fault -x -d 'Accesses to ADDR take a data abort'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -l pf-region -x -d '(sim) Memory not there yet: ADDR:SIZE'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -l on-page-fault -x -a 'fail retry fault' -d 'What a page fault gets'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -l lenient -d '(sim) Emulate MMIO hardware gives no syndrome for'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -s s -l step -d 'Stop after every exit (--step=N: every N)'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -l max-exits -x -d 'Stop the VM after N exits'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -l paused -d 'With --name: start paused before the first instruction'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -s t -l timeout -x -d 'Stop the VM after SEC seconds'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -s j -l json -d 'JSON Lines: one object per exit, then a summary'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -s q -l quiet -d 'Only the guest console'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -l dashboard -d 'A live full-screen view of the exits'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -l interval -x -d '(dashboard) Redraw every MS milliseconds'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -l exit-on-stop -d '(dashboard) Leave as soon as the VM stops'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -l name -x -d 'Name the VM: the admin commands reach it'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -s d -l detach -d 'With --name: run in the background'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -l log-size -x -d 'With --detach: the log\'s limit, then NAME.log.1'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -l record -r -F -d 'Also write every exit and its answer to FILE'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -l filter -x -a 'mmio read write page_fault status unknown vcpu= addr=' -d 'Print only the exits EXPR matches'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -l stuck -x -d 'Report a vCPU repeating one exit N times (0: never)'
complete -c gunyahctl -n '__fish_seen_subcommand_from run' -l on-stuck -x -a 'report stop' -d 'What a stuck vCPU gets'

# report FILE, replay FILE [IMAGE]
complete -c gunyahctl -n '__fish_seen_subcommand_from report replay' -F
complete -c gunyahctl -n '__fish_seen_subcommand_from report' -l by -x -a 'kind vcpu addr region' -d 'Group the exits by'
complete -c gunyahctl -n '__fish_seen_subcommand_from report' -l top -x -d 'Only the N rows with the most exits'
complete -c gunyahctl -n '__fish_seen_subcommand_from report' -l filter -x -a 'mmio read write page_fault status unknown vcpu= addr=' -d 'Table only the exits EXPR matches'
complete -c gunyahctl -n '__fish_seen_subcommand_from report' -s j -l json -d 'One JSON object'
complete -c gunyahctl -n '__fish_seen_subcommand_from replay' -s t -l timeout -x -d 'Give up after SEC seconds'
complete -c gunyahctl -n '__fish_seen_subcommand_from replay' -s j -l json -d 'The verdict as one JSON object'

# the named VMs' commands
complete -c gunyahctl -n '__fish_seen_subcommand_from list' -s j -l json -d 'One JSON object per VM'
for c in status stat attach pause resume step stop wait
    complete -c gunyahctl -n "__gunyahctl_first_arg_of $c" -a '(__gunyahctl_vms)'
end
complete -c gunyahctl -n '__fish_seen_subcommand_from status' -s j -l json -d 'Print one JSON object'
complete -c gunyahctl -n '__fish_seen_subcommand_from stat' -s j -l json -d 'One JSON object per sample'
complete -c gunyahctl -n '__fish_seen_subcommand_from stat' -s w -l watch -d 'A sample every interval'
complete -c gunyahctl -n '__fish_seen_subcommand_from stat' -s i -l interval -x -d 'Seconds between samples'
complete -c gunyahctl -n '__fish_seen_subcommand_from stat' -s n -l count -x -d 'With --watch: stop after N samples'
complete -c gunyahctl -n '__fish_seen_subcommand_from attach' -s j -l json -d 'JSON Lines, as run --json prints them'
complete -c gunyahctl -n '__fish_seen_subcommand_from attach' -s n -l count -x -d 'Detach after N exits'
complete -c gunyahctl -n '__fish_seen_subcommand_from attach' -l filter -x -a 'mmio read write page_fault status unknown vcpu= addr=' -d 'Print only the exits EXPR matches'
complete -c gunyahctl -n '__fish_seen_subcommand_from attach' -l dashboard -d 'The live full-screen view of the VM'
complete -c gunyahctl -n '__fish_seen_subcommand_from attach' -l interval -x -d '(dashboard) Redraw every MS milliseconds'
complete -c gunyahctl -n '__fish_seen_subcommand_from attach' -l console -d 'The guest console, both ways'
complete -c gunyahctl -n '__fish_seen_subcommand_from attach' -l record -r -F -d 'Also write every exit received to FILE'
complete -c gunyahctl -n '__fish_seen_subcommand_from step' -s j -l json -d 'JSON Lines, as run --json prints them'
complete -c gunyahctl -n '__fish_seen_subcommand_from step' -s t -l timeout -x -d 'Give up after SEC seconds'
complete -c gunyahctl -n '__fish_seen_subcommand_from step' -l filter -x -a 'mmio read write page_fault status unknown vcpu= addr=' -d 'Print only the exits EXPR matches'
complete -c gunyahctl -n '__fish_seen_subcommand_from stop' -s f -l force -d 'A forced stop instead of a power-off'
complete -c gunyahctl -n '__fish_seen_subcommand_from stop' -s t -l timeout -x -d 'Wait at most SEC seconds for the end'
complete -c gunyahctl -n '__fish_seen_subcommand_from wait' -s j -l json -d 'Print how it ended as one JSON object'
complete -c gunyahctl -n '__fish_seen_subcommand_from wait' -s t -l timeout -x -d 'Give up after SEC seconds'
