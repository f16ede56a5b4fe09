// SPDX-License-Identifier: GPL-2.0-only
/*
 * Number to name tables for everything the ABI carries.  Text output, JSON,
 * the dashboard and test messages all use these, so a name is spelled once.
 */
#include <stddef.h>
#include <string.h>

#include "gunyah.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const exit_reasons[] = {
	[GUNYAH_VCPU_EXIT_UNKNOWN] = "unknown",
	[GUNYAH_VCPU_EXIT_MMIO] = "mmio",
	[GUNYAH_VCPU_EXIT_STATUS] = "status",
	[GUNYAH_VCPU_EXIT_PAGE_FAULT] = "page_fault",
};

static const char *const vm_statuses[] = {
	[0] = "none",
	[GUNYAH_VM_STATUS_LOAD_FAILED] = "load_failed",
	[GUNYAH_VM_STATUS_EXITED] = "exited",
	[GUNYAH_VM_STATUS_CRASHED] = "crashed",
};

static const char *const exit_types[] = {
	[GUNYAH_VM_EXIT_TYPE_VM_EXIT] = "vm_exit",
	[GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF] = "poweroff",
	[GUNYAH_VM_EXIT_TYPE_PSCI_SYSTEM_RESET] = "restart",
	[GUNYAH_VM_EXIT_TYPE_PSCI_SYSTEM_RESET2] = "system_reset2",
	[GUNYAH_VM_EXIT_TYPE_WDT_BITE] = "watchdog_bite",
	[GUNYAH_VM_EXIT_TYPE_HYP_ERROR] = "hyp_error",
	[GUNYAH_VM_EXIT_TYPE_ASYNC_EXT_ABORT] = "async_ext_abort",
	[GUNYAH_VM_EXIT_TYPE_VM_STOP_FORCED] = "forced_stop",
};

/* What a person reading an exit should know; the resource manager's terms. */
static const char *const exit_type_descs[] = {
	[GUNYAH_VM_EXIT_TYPE_VM_EXIT] =
		"the VM asked the resource manager to exit",
	[GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF] =
		"the guest called PSCI SYSTEM_OFF",
	[GUNYAH_VM_EXIT_TYPE_PSCI_SYSTEM_RESET] =
		"the guest called PSCI SYSTEM_RESET",
	[GUNYAH_VM_EXIT_TYPE_PSCI_SYSTEM_RESET2] =
		"the guest called PSCI SYSTEM_RESET2 (architectural or vendor reset)",
	[GUNYAH_VM_EXIT_TYPE_WDT_BITE] =
		"the VM's watchdog timer expired (a bite)",
	[GUNYAH_VM_EXIT_TYPE_HYP_ERROR] =
		"the hypervisor stopped the VM after an error",
	[GUNYAH_VM_EXIT_TYPE_ASYNC_EXT_ABORT] =
		"an asynchronous external abort (SError) stopped the VM",
	[GUNYAH_VM_EXIT_TYPE_VM_STOP_FORCED] =
		"the VM's owner stopped it by force",
};

static const char *const resume_actions[] = {
	[GUNYAH_VCPU_RESUME_HANDLED] = "handled",
	[GUNYAH_VCPU_RESUME_FAULT] = "fault",
	[GUNYAH_VCPU_RESUME_RETRY] = "retry",
};

static const char *const exit_codes[] = {
	[GUNYAH_VM_EXIT_CODE_NORMAL] = "normal",
	[GUNYAH_VM_EXIT_CODE_SOFTWARE_ERROR] = "software_error",
	[GUNYAH_VM_EXIT_CODE_UNKNOWN_ERROR] = "unknown_error",
	[GUNYAH_VM_EXIT_CODE_BUS_ERROR] = "bus_error",
	[GUNYAH_VM_EXIT_CODE_DEVICE_ERROR] = "device_error",
};

static const char *const exit_code_descs[] = {
	[GUNYAH_VM_EXIT_CODE_NORMAL] = "a normal exit",
	[GUNYAH_VM_EXIT_CODE_SOFTWARE_ERROR] = "the guest software failed",
	[GUNYAH_VM_EXIT_CODE_UNKNOWN_ERROR] = "an error of unknown cause",
	[GUNYAH_VM_EXIT_CODE_BUS_ERROR] = "a bus error",
	[GUNYAH_VM_EXIT_CODE_DEVICE_ERROR] = "a device failed",
};

static const char *const vcpu_states[] = {
	[GH_SIM_VCPU_NOT_STARTED] = "not_started",
	[GH_SIM_VCPU_RUNNING] = "running",
	[GH_SIM_VCPU_IDLE] = "idle",
	[GH_SIM_VCPU_OFF] = "off",
	[GH_SIM_VCPU_STOPPED] = "stopped",
};

static const char *lookup(const char *const *table, size_t n, uint32_t v)
{
	if (v < n && table[v])
		return table[v];
	return "unknown";
}

static const char *lookup_or_null(const char *const *table, size_t n,
				  uint32_t v)
{
	return v < n ? table[v] : NULL;
}

static int reverse(const char *const *table, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (table[i] && !strcmp(table[i], s))
			return (int)i;
	return -1;
}

#define LOOKUP(t, v) lookup(t, ARRAY_SIZE(t), v)
#define REVERSE(t, s) reverse(t, ARRAY_SIZE(t), s)

const char *gh_exit_reason_str(uint32_t v) { return LOOKUP(exit_reasons, v); }
const char *gh_vm_status_str(uint32_t v) { return LOOKUP(vm_statuses, v); }
const char *gh_exit_type_str(uint32_t v) { return LOOKUP(exit_types, v); }
const char *gh_resume_action_str(uint32_t v) { return LOOKUP(resume_actions, v); }
const char *gh_exit_code_str(uint32_t v) { return LOOKUP(exit_codes, v); }
const char *gh_vcpu_state_str(uint32_t v) { return LOOKUP(vcpu_states, v); }

const char *gh_exit_type_desc(uint32_t v)
{
	return lookup_or_null(exit_type_descs, ARRAY_SIZE(exit_type_descs), v);
}

const char *gh_exit_code_desc(uint32_t v)
{
	return lookup_or_null(exit_code_descs, ARRAY_SIZE(exit_code_descs), v);
}

unsigned int gh_exit_type_count(void) { return ARRAY_SIZE(exit_types); }
unsigned int gh_exit_code_count(void) { return ARRAY_SIZE(exit_codes); }

int gh_exit_reason_from_str(const char *s) { return REVERSE(exit_reasons, s); }
int gh_exit_type_from_str(const char *s) { return REVERSE(exit_types, s); }
int gh_resume_action_from_str(const char *s) { return REVERSE(resume_actions, s); }

uint64_t gh_exit_info_reason(const struct gunyah_vm_exit_info *info)
{
	uint32_t n = info->reason_size;
	uint64_t v = 0;

	if (n > GUNYAH_VM_MAX_EXIT_REASON_SIZE)
		n = GUNYAH_VM_MAX_EXIT_REASON_SIZE;
	for (uint32_t i = 0; i < n; i++)
		v |= (uint64_t)info->reason[i] << (8 * i);
	return v;
}

void gh_exit_reason_decode(uint32_t word, struct gh_exit_reason *out)
{
	const uint32_t known = GUNYAH_VM_EXIT_REASON_RESTART |
			       GUNYAH_VM_EXIT_REASON_64BIT |
			       GUNYAH_VM_EXIT_REASON_CODE_MASK;

	out->word = word;
	out->restart = word & GUNYAH_VM_EXIT_REASON_RESTART;
	out->reason_64bit = word & GUNYAH_VM_EXIT_REASON_64BIT;
	out->code = (word & GUNYAH_VM_EXIT_REASON_CODE_MASK) >>
		    GUNYAH_VM_EXIT_REASON_CODE_SHIFT;
	out->code_known = out->code < ARRAY_SIZE(exit_codes) &&
			  exit_codes[out->code];
	out->code_name = gh_exit_code_str(out->code);
	out->unknown_bits = word & ~known;
}

/* Exception classes (ESR_ELx.EC) a crashed guest can report, in words. */
const char *gh_esr_ec_str(uint32_t ec)
{
	switch (ec) {
	case 0x00: return "unknown reason";
	case 0x01: return "WFI/WFE trapped";
	case 0x0e: return "illegal execution state";
	case 0x15: return "SVC";
	case 0x16: return "HVC";
	case 0x17: return "SMC";
	case 0x18: return "system register access";
	case 0x20: return "instruction abort from a lower EL";
	case 0x21: return "instruction abort";
	case 0x22: return "PC alignment fault";
	case 0x24: return "data abort from a lower EL";
	case 0x25: return "data abort";
	case 0x26: return "SP alignment fault";
	case 0x2f: return "SError";
	case 0x3c: return "BRK";
	default: return NULL;
	}
}
