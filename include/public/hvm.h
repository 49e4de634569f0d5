/* HVM operations (Xen's public hvm/hvm_op.h and hvm/params.h), our own
 * definitions. */
#ifndef EYRIE_PUBLIC_HVM_H
#define EYRIE_PUBLIC_HVM_H

#include <stdint.h>

#define HVMOP_set_param 0
#define HVMOP_get_param 1

struct xen_hvm_param {
	uint16_t domid;  /* DOMID_SELF */
	uint16_t pad;
	uint32_t index;  /* HVM_PARAM_* */
	uint64_t value;
};

/* Event delivery: value = (HVM_PARAM_CALLBACK_TYPE_VECTOR << 56) | vector. */
#define HVM_PARAM_CALLBACK_IRQ 0
#define HVM_PARAM_CALLBACK_TYPE_VECTOR 2ull

#define HVM_NR_PARAMS 40

#endif
