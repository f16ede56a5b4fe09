# bash completion for gunyahctl(1)                         -*- shell-script -*-
# SPDX-License-Identifier: GPL-2.0-only
#
# Commands and options come from gunyahctl's own --help (bash-completion's
# _parse_help), so they follow the binary being completed; this file knows
# only what values some options and arguments take.

# The command table, as `gunyahctl --help` prints it.
_gunyahctl_commands()
{
    "$1" --help 2>/dev/null |
        awk '/^Commands:/ { c = 1; next } c && !NF { exit } c { print $1 }'
}

# Options of a command that take their argument in the next word when not
# written --opt=ARG: "--backend=NAME" does, "--step[=N]" does not.
_gunyahctl_argopts()
{
    "$1" $2 --help 2>/dev/null | awk '
        /^ +-/ {
            spec = $0
            sub(/^ +/, "", spec)
            sub(/  .*/, "", spec)
            if (spec ~ /\[=/ || (spec !~ /=/ && spec !~ /^-[^-,] [^-]/))
                next
            n = split(spec, part, /, /)
            for (i = 1; i <= n; i++) {
                o = part[i]
                sub(/[= ].*/, "", o)
                print o
            }
        }'
}

_gunyahctl_exit_types()
{
    "$1" explain --list 2>/dev/null |
        awk '/^exit types/ { t = 1; next } /^exit codes/ { t = 0 } t { print $2 }'
}

# The named VMs, from gunyahctl list.
_gunyahctl_vms()
{
    "$1" list 2>/dev/null | awk 'NR > 1 { print $1 }'
}

# diag's check names, from its own table.
_gunyahctl_checks()
{
    "$1" diag --list 2>/dev/null | awk '{ print $1 }'
}

_gunyahctl()
{
    local cur prev words cword split
    _init_completion -s || return

    local bin=${words[0]} cmd= cmd_i i
    for ((i = 1; i < cword; i++)); do
        if [[ ${words[i]} != -* ]]; then
            cmd=${words[i]} cmd_i=$i
            break
        fi
    done

    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W '$(_parse_help "$bin")' -- "$cur"))
        else
            COMPREPLY=($(compgen -W '$(_gunyahctl_commands "$bin")' -- "$cur"))
        fi
        return
    fi

    # Option values, the same for every command that has the option.
    case $prev in
        --backend | -b)
            COMPREPLY=($(compgen -W 'sim dev' -- "$cur"))
            return
            ;;
        --by)
            [[ $cmd == report ]] &&
                COMPREPLY=($(compgen -W 'kind vcpu addr region' -- "$cur"))
            return
            ;;
        --filter)
            # TERM[,TERM...]: complete the term after the last comma
            COMPREPLY=($(compgen -P "${cur%"${cur##*,}"}" \
                -W 'mmio read write page_fault status unknown vcpu= addr=' \
                -- "${cur##*,}"))
            compopt -o nospace
            return
            ;;
        --record)
            _filedir
            return
            ;;
        --abi)
            COMPREPLY=($(compgen -W 'upstream android' -- "$cur"))
            return
            ;;
        --only | -o)
            # NAME[,NAME...]: complete the name after the last comma
            [[ $cmd == diag ]] &&
                COMPREPLY=($(compgen -P "${cur%"${cur##*,}"}" \
                    -W '$(_gunyahctl_checks "$bin")' -- "${cur##*,}"))
            return
            ;;
    esac

    local argopts=" $(_gunyahctl_argopts "$bin" "$cmd" | tr '\n' ' ') "
    if [[ $argopts == *" $prev "* ]] || $split; then
        return # an argument we know nothing about: no guess
    fi

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W '$(_parse_help "$bin" "$cmd --help")' -- "$cur"))
        [[ ${COMPREPLY-} == *= ]] && compopt -o nospace
        return
    fi

    # Which positional argument is being completed (1 = the first)?
    local pos=1 dashdash=
    for ((i = cmd_i + 1; i < cword; i++)); do
        if [[ -z $dashdash && ${words[i]} == -- ]]; then
            dashdash=1
        elif [[ -z $dashdash && ${words[i]} == -* ]]; then
            [[ ${words[i]} != *=* && $argopts == *" ${words[i]} "* ]] && ((i++))
        else
            ((pos++))
        fi
    done

    case $cmd in
        explain)
            ((pos == 1)) &&
                COMPREPLY=($(compgen -W '$(_gunyahctl_exit_types "$bin")' -- "$cur"))
            ;;
        info | probe) ;;
        diag)
            COMPREPLY=($(compgen -W '$(_gunyahctl_checks "$bin")' -- "$cur"))
            ;;
        list) ;;
        status | stat | attach | pause | resume | step | stop | wait)
            # NAME, then (step) a number of exits
            ((pos == 1)) &&
                COMPREPLY=($(compgen -W '$(_gunyahctl_vms "$bin")' -- "$cur"))
            ;;
        *)
            # run IMAGE and whatever comes: files
            _filedir
            ;;
    esac
} &&
    complete -F _gunyahctl gunyahctl

# ex: filetype=sh
