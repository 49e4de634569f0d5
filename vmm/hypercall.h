/* The hypercall dispatcher (VMMCALL/VMCALL): decode, validate, then act. */
#ifndef EYRIE_VMM_HYPERCALL_H
#define EYRIE_VMM_HYPERCALL_H

struct vcpu;

/* Runs the hypercall in RAX with the mode's argument registers and puts
 * the result in RAX. */
void hypercall(struct vcpu *v);

#endif
