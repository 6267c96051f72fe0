# SPDX-License-Identifier: MIT
# bash completion for alupdate and the yum-utils names it answers to.
# The words come from the binary (`alupdate complete ...`, see alupdate(8)),
# so commands and options cannot drift from the parser; package names are
# read from the cache only, never from the network.

_alupdate_words()
{
	"${_alupdate_bin:-alupdate}" "${_alupdate_root[@]}" complete "$@" 2>/dev/null
}

_alupdate()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev= opt= cmd= w i
	local -a _alupdate_root=()
	local _alupdate_bin=${COMP_WORDS[0]}
	case ${_alupdate_bin##*/} in
	yum-config-manager) cmd=config-manager ;;
	repoquery | package-cleanup | reposync) cmd=${_alupdate_bin##*/} ;;
	esac
	[[ ${_alupdate_bin##*/} == alupdate ]] || _alupdate_bin=alupdate

	# the option whose value is being completed: "--opt VALUE" or "--opt=VALUE"
	# (bash splits the latter at '=' into three words)
	if ((COMP_CWORD >= 2)) && [[ ${COMP_WORDS[COMP_CWORD - 1]} == = ]]; then
		opt=${COMP_WORDS[COMP_CWORD - 2]}
	elif [[ $cur == = ]]; then
		opt=${COMP_WORDS[COMP_CWORD - 1]} cur=
	elif ((COMP_CWORD >= 1)); then
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		[[ $prev == -* ]] && opt=$prev
	fi

	# the command word and the root, as main.c finds them
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		[[ ${COMP_WORDS[i + 1]} == = ]] && { w+="=${COMP_WORDS[i + 2]}"; ((i += 2)); }
		case $w in
		--installroot=* | --config=*) _alupdate_root+=("${w%%=*}" "${w#*=}") ;;
		--installroot | --config | -c) _alupdate_root+=("$w" "${COMP_WORDS[i + 1]}"); ((i++)) ;;
		--releasever | --setopt | --enablerepo | --disablerepo | --repofrompath | --exclude | -x) ((i++)) ;;
		-*) ;;
		*) [[ -z $cmd ]] && cmd=$w ;;
		esac
	done

	case $opt in
	--enablerepo | --disablerepo | --repoid | --repo | -r | --mirrorlist-for)
		COMPREPLY=($(compgen -W "$(_alupdate_words repos)" -- "$cur")); return ;;
	--installroot | --downloaddir | --download-path | -p)
		COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--config | -c | --add-repo | --addrepo)
		COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--whatprovides | --whatrequires | --exclude | -x)
		COMPREPLY=($(compgen -W "$(_alupdate_words available)" -- "$cur")); return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_alupdate_words options $cmd)" -- "$cur"))
		[[ ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null
		return
	fi
	case $cmd in
	'' | help)
		COMPREPLY=($(compgen -W "$(_alupdate_words commands)" -- "$cur")) ;;
	install | localinstall | info | deplist | groupinstall | swap | repoquery)
		COMPREPLY=($(compgen -W "$(_alupdate_words available)" -- "$cur"))
		[[ $cmd == install || $cmd == localinstall || $cmd == info ]] &&
			COMPREPLY+=($(compgen -f -X '!*.rpm' -- "$cur")) ;;
	remove | erase | reinstall | downgrade | update | upgrade | update-minimal | upgrade-minimal | \
		verify | versionlock | autoremove | distro-sync | dsync | check-update | check-updates | check-upgrade | list)
		COMPREPLY=($(compgen -W "$(_alupdate_words installed)" -- "$cur")) ;;
	repolist | config | config-manager | reposync)
		COMPREPLY=($(compgen -W "$(_alupdate_words repos)" -- "$cur")) ;;
	clean)
		COMPREPLY=($(compgen -W "all metadata packages dbcache expire-cache headers rpmdb" -- "$cur")) ;;
	esac
}
complete -F _alupdate alupdate yum-config-manager repoquery package-cleanup reposync
